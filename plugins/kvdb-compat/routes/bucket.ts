// The bucket itself: list keys (GET), run a transaction (POST), update the policy (PATCH), delete
// the bucket with all its keys (DELETE).

import { startsWith, utf8 } from '../../../core/engine/bytes.ts'
import type { BatchOp } from '../../../core/engine/types.ts'
import { readBodyText } from '../../../core/http/body.ts'
import { elementTexts, memberTexts } from '../../../core/http/json-text.ts'
import { parseWith } from '../../../core/http/validate.ts'
import { watchResponse } from '../../../core/watch/index.ts'
import { authorize, authorizeKey } from '../access.ts'
import { updatePolicy } from '../bucket.ts'
import { type BucketHandler, type Methods, ok } from '../context.ts'
import { badRequest, kvdbError, messages } from '../errors.ts'
import { negotiateFormat, renderListing } from '../listing.ts'
import { queryBytes, queryText, readForm } from '../request.ts'
import { ListQuery, TxnBody, TxnOp, UpdatePolicyForm } from '../schemas.ts'
import { deleteAllScripts } from '../scripts.ts'
import { checkKey, expiryOf, jsonValue, numberValue } from '../values.ts'

export const bucketMethods: Methods<BucketHandler> = {
  async GET({ call, bucket, principal, ctx }) {
    authorize('list', bucket, principal)
    // The watch feed is the bucket's own URL marked ?watch: no key path can be read as it.
    if (call.query.has('watch')) {
      const values = call.query.get('values')
      if (values !== null && values !== '0' && values !== 'false') authorize('read', bucket, principal)
      return watchResponse(ctx.engine, bucket.id, call, ctx.watch, {
        scope: principal.type === 'token' ? principal.prefix : undefined,
        invalid: badRequest,
        forbidden: () => kvdbError(403, messages.blocked),
      })
    }
    const params = parseWith(
      ListQuery,
      {
        limit: queryText(call, 'limit'),
        skip: queryText(call, 'skip'),
        reverse: queryText(call, 'reverse'),
        values: queryText(call, 'values'),
        format: queryText(call, 'format') || undefined,
      },
      badRequest,
    )
    const format = negotiateFormat(params.format, call.request.headers.get('accept'))
    let prefix = queryBytes(call, 'prefix')
    if (principal.type === 'token') {
      // A token lists only below its prefix: by default, and refusing any prefix outside it.
      if (prefix === undefined || prefix.length === 0) prefix = principal.prefix
      else if (!startsWith(prefix, principal.prefix)) throw kvdbError(403, messages.blocked)
    }
    const { entries } = await ctx.engine.scan(bucket.id, {
      prefix: prefix?.length ? prefix : undefined,
      offset: params.skip ?? 0,
      limit: Math.min(params.limit ?? ctx.options.maxListLimit, ctx.options.maxListLimit),
      reverse: params.reverse,
      withValues: params.values,
    })
    return renderListing(entries, format, params.values)
  },

  async POST({ call, bucket, principal, ctx }) {
    authorize('write', bucket, principal)
    const { maxTxnOps, maxValueBytes, maxKeyBytes } = ctx.options
    // Parsed here rather than by readJson: a number value is stored from its text as sent, since
    // JSON.parse would round an int64 such as 9223372036854775807 to a float.
    const text = await readBodyText(call.request, ctx.options.maxTxnBytes)
    let body: unknown
    try {
      body = text.trim() === '' ? undefined : JSON.parse(text)
    } catch {
      throw kvdbError(400, 'body is not valid JSON')
    }
    const { txn } = parseWith(TxnBody, body, badRequest)
    if (txn.length === 0 || txn.length > maxTxnOps) {
      throw kvdbError(400, `txn holds 1 to ${maxTxnOps} operations`)
    }
    let opTexts: string[] | undefined
    const valueText = (index: number) => {
      opTexts ??= elementTexts(memberTexts(text).get('txn')!)
      return memberTexts(opTexts[index]!).get('value')!
    }
    // Every op is checked before any is applied: one bad op refuses the whole transaction.
    const ops: BatchOp[] = txn.map((raw, index) => {
      const op = parseWith(TxnOp, raw, badRequest)
      const key = utf8('set' in op ? op.set : op.delete)
      checkKey(key, maxKeyBytes)
      authorizeKey(principal, key)
      if (!('set' in op)) return { type: 'delete', key }
      if (!('value' in op)) throw kvdbError(400, 'a set needs a value')
      const value = typeof op.value === 'number' ? numberValue(valueText(index)) : jsonValue(op.value)
      if (value.bytes.length > maxValueBytes) throw kvdbError(413, messages.valueTooLarge)
      return { type: 'put', key, value, ...expiryOf(op.ttl ?? bucket.settings.defaultTtl) }
    })
    await ctx.engine.batch(bucket.id, ops)
    return ok()
  },

  async PATCH({ call, bucket, principal, ctx }) {
    authorize('updatePolicy', bucket, principal)
    const form = parseWith(UpdatePolicyForm, await readForm(call.request, ctx.maxFormBytes), badRequest)
    await updatePolicy(ctx.engine, bucket, form)
    return ok()
  },

  async DELETE({ bucket, principal, ctx }) {
    authorize('deleteBucket', bucket, principal)
    await deleteAllScripts(ctx.engine, bucket.id)
    await ctx.engine.namespaces.delete(bucket.id)
    return ok()
  },
}
