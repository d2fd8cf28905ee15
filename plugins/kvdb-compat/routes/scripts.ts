// Bucket scripts: upload (PUT, compiled first, so a syntax error is a 400 with Lua's message),
// delete and list with the secret key; run (GET, POST) with any credential or none. A run is one
// Lua script in the sandbox, answering the request; a token on the request narrows what it touches.

import { readBody } from '../../../core/http/body.ts'
import { isScriptError, type ScriptErrorKind } from '../../../core/scripting/errors.ts'
import type { ScriptLimits } from '../../../core/scripting/sandbox.ts'
import { authorize } from '../access.ts'
import { type BucketHandler, type BucketRequest, type Methods, ok } from '../context.ts'
import { kvdbError } from '../errors.ts'
import { negotiateFormat, renderListing } from '../listing.ts'
import type { KvdbOptions } from '../options.ts'
import { queryText } from '../request.ts'
import { scriptHost } from '../script-host.ts'
import { deleteScript, listScripts, loadScript, SCRIPT_NAME, saveScript } from '../scripts.ts'

const NOT_FOUND = 'script not found'
/** Statuses whose responses have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([204, 205, 304])

/** A script's failure: a bad upload is 400, running out of time 503, anything else 500. */
const SCRIPT_STATUS: Record<ScriptErrorKind, number> = {
  syntax: 400,
  runtime: 500,
  memory: 500,
  output: 500,
  time: 503,
}

/** The sandbox's errors as KVdb answers them; anything else (the store's trouble) goes on as it is. */
function scriptFailure(error: unknown): never {
  if (isScriptError(error)) throw kvdbError(SCRIPT_STATUS[error.kind], error.message)
  throw error
}

/** The script name: the raw rest of the path after scripts/. */
const nameOf = ({ call }: BucketRequest) => call.params['*'] ?? ''

/** The name of a script to run or delete; a name no script can have is no script (404). */
function existingName(request: BucketRequest): string {
  const name = nameOf(request)
  if (!SCRIPT_NAME.test(name)) throw kvdbError(404, NOT_FOUND)
  return name
}

export const scriptLimits = (options: KvdbOptions): Partial<ScriptLimits> => ({
  cpuTimeMs: options.scriptCpuMs,
  wallTimeMs: options.scriptWallMs,
  memoryBytes: options.scriptMemoryBytes,
  outputBytes: options.scriptOutputBytes,
})

async function run(request: BucketRequest): Promise<Response> {
  const { call, bucket, principal, ctx } = request
  authorize('runScript', bucket, principal)
  const name = existingName(request)
  const script = await loadScript(ctx.engine, bucket.id, name)
  if (!script) throw kvdbError(404, NOT_FOUND)
  const body = await readBody(call.request, ctx.maxFormBytes)
  const response = await ctx.scripting
    .run(
      { id: `${bucket.id}/${name}`, version: script.version, name, source: script.source },
      {
        query: call.query,
        headers: call.request.headers,
        body,
        remoteAddr: call.clientAddress(ctx.trustedProxies),
      },
      scriptHost(ctx, bucket, principal),
      scriptLimits(ctx.options),
    )
    .catch(scriptFailure)
  return new Response(NULL_BODY.has(response.status) ? null : (response.body as Uint8Array<ArrayBuffer>), {
    status: response.status,
    headers: response.headers,
  })
}

/** /{bucket}/scripts and /{bucket}/scripts/: the list of script names. */
export const scriptListMethods: Methods<BucketHandler> = {
  async GET({ call, bucket, principal, ctx }) {
    authorize('manageScripts', bucket, principal)
    const format = negotiateFormat(queryText(call, 'format') || undefined, call.request.headers.get('accept'))
    const names = await listScripts(ctx.engine, bucket.id, ctx.options.maxListLimit)
    return renderListing(names, format, false)
  },
}

/** /{bucket}/scripts/{name}: one script. */
export const scriptMethods: Methods<BucketHandler> = {
  GET: run,
  POST: run,

  async PUT(request) {
    const { call, bucket, principal, ctx } = request
    authorize('manageScripts', bucket, principal)
    const name = nameOf(request)
    if (!SCRIPT_NAME.test(name)) throw kvdbError(400, 'a script name is 1 to 64 of A-Z a-z 0-9 _ . -')
    const source = await readBody(call.request, ctx.options.maxScriptBytes)
    await ctx.scripting.check(name, source).catch(scriptFailure)
    await saveScript(ctx.engine, bucket.id, name, source)
    return ok()
  },

  async DELETE(request) {
    const { bucket, principal, ctx } = request
    authorize('manageScripts', bucket, principal)
    const name = existingName(request)
    if (!(await deleteScript(ctx.engine, bucket.id, name))) throw kvdbError(404, NOT_FOUND)
    return ok()
  },
}
