// Bucket scripts: reserved until scripting lands. The paths answer with the contract's access
// rules already (management needs the secret key), and as a bucket without scripts would: an empty
// list, no script to run or delete. Uploading answers 503 until there is an engine to run them.

import { authorize } from '../access.ts'
import type { SubRequest, SubResource } from '../context.ts'
import { kvdbError, messages } from '../errors.ts'
import { negotiateFormat, renderListing } from '../listing.ts'

const NAME = /^[A-Za-z0-9_.-]{1,64}$/

function scriptName({ rest }: SubRequest): string {
  if (!NAME.test(rest)) throw kvdbError(404, 'script not found')
  return rest
}

export const scripts: SubResource = {
  name: 'scripts',
  nested: true,
  methods: {
    async GET(request) {
      if (request.rest === '') {
        authorize('manageScripts', request.bucket, request.principal)
        const format = negotiateFormat(
          request.query.text('format') || undefined,
          request.request.headers.get('accept'),
        )
        return renderListing([], format, false)
      }
      authorize('runScript', request.bucket, request.principal)
      scriptName(request)
      throw kvdbError(404, 'script not found')
    },
    async POST(request) {
      if (request.rest === '') throw kvdbError(405, messages.methodNotAllowed)
      authorize('runScript', request.bucket, request.principal)
      scriptName(request)
      throw kvdbError(404, 'script not found')
    },
    async PUT(request) {
      if (request.rest === '') throw kvdbError(405, messages.methodNotAllowed)
      authorize('manageScripts', request.bucket, request.principal)
      if (!NAME.test(request.rest)) throw kvdbError(400, 'a script name is 1 to 64 of A-Z a-z 0-9 _ . -')
      throw kvdbError(503, 'scripting is not available on this server yet')
    },
    async DELETE(request) {
      if (request.rest === '') throw kvdbError(405, messages.methodNotAllowed)
      authorize('manageScripts', request.bucket, request.principal)
      scriptName(request)
      throw kvdbError(404, 'script not found')
    },
  },
}
