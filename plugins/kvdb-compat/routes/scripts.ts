// Bucket scripts: upload (PUT, compiled first, so a syntax error is a 400 with Lua's message),
// delete and list with the secret key; run (GET, POST) with any credential or none. A run is one
// Lua script in the sandbox, answering the request; a token on the request narrows what it touches.

import { readBody } from '../../../core/http/body.ts'
import type { ScriptLimits } from '../../../core/scripting/sandbox.ts'
import { authorize } from '../access.ts'
import { ok, type SubRequest, type SubResource } from '../context.ts'
import { kvdbError, messages } from '../errors.ts'
import { negotiateFormat, renderListing } from '../listing.ts'
import type { KvdbOptions } from '../options.ts'
import { scriptHost } from '../script-host.ts'
import { deleteScript, listScripts, loadScript, SCRIPT_NAME, saveScript } from '../scripts.ts'

const NOT_FOUND = 'script not found'
/** Statuses whose responses have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([204, 205, 304])

function scriptName({ rest }: SubRequest): string {
  if (!SCRIPT_NAME.test(rest)) throw kvdbError(404, NOT_FOUND)
  return rest
}

export const scriptLimits = (options: KvdbOptions): Partial<ScriptLimits> => ({
  cpuTimeMs: options.scriptCpuMs,
  wallTimeMs: options.scriptWallMs,
  memoryBytes: options.scriptMemoryBytes,
  outputBytes: options.scriptOutputBytes,
})

async function run(request: SubRequest): Promise<Response> {
  const { bucket, principal, ctx } = request
  authorize('runScript', bucket, principal)
  const name = scriptName(request)
  const script = await loadScript(ctx.engine, bucket.id, name)
  if (!script) throw kvdbError(404, NOT_FOUND)
  const body = await readBody(request.request, ctx.maxFormBytes)
  const response = await ctx.dialect.scripting.run(
    { id: `${bucket.id}/${name}`, version: script.version, name, source: script.source },
    {
      query: new URL(request.request.url).searchParams,
      headers: request.request.headers,
      body,
      remoteAddr: ctx.clientIp(request.request),
    },
    scriptHost(ctx, bucket, principal),
    scriptLimits(ctx.options),
  )
  return new Response(NULL_BODY.has(response.status) ? null : (response.body as Uint8Array<ArrayBuffer>), {
    status: response.status,
    headers: response.headers,
  })
}

export const scripts: SubResource = {
  name: 'scripts',
  nested: true,
  methods: {
    async GET(request) {
      if (request.rest !== '') return run(request)
      authorize('manageScripts', request.bucket, request.principal)
      const format = negotiateFormat(
        request.query.text('format') || undefined,
        request.request.headers.get('accept'),
      )
      const names = await listScripts(request.ctx.engine, request.bucket.id, request.ctx.options.maxListLimit)
      return renderListing(names, format, false)
    },
    async POST(request) {
      if (request.rest === '') throw kvdbError(405, messages.methodNotAllowed)
      return run(request)
    },
    async PUT(request) {
      if (request.rest === '') throw kvdbError(405, messages.methodNotAllowed)
      const { bucket, principal, ctx, rest } = request
      authorize('manageScripts', bucket, principal)
      if (!SCRIPT_NAME.test(rest)) throw kvdbError(400, 'a script name is 1 to 64 of A-Z a-z 0-9 _ . -')
      const source = await readBody(request.request, ctx.options.maxScriptBytes)
      await ctx.dialect.scripting.check(rest, source)
      await saveScript(ctx.engine, bucket.id, rest, source)
      return ok()
    },
    async DELETE(request) {
      if (request.rest === '') throw kvdbError(405, messages.methodNotAllowed)
      authorize('manageScripts', request.bucket, request.principal)
      const name = scriptName(request)
      if (!(await deleteScript(request.ctx.engine, request.bucket.id, name))) throw kvdbError(404, NOT_FOUND)
      return ok()
    },
  },
}
