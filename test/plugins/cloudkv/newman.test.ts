// The seed Postman collection, run by newman (its Node API) against a kvgate on a real port.
// cloudkv.postman_collection.json here is shared/seeds/cloudkv.postman_collection.json, formatted.
// Which assertions fail by design, and why, is in plugins/cloudkv-compat/README.md. Newman is the
// slowest of the CloudKV tests and a client sees no difference between mounts, so it runs under
// the default prefix only; the other suites run under every mount.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import newman from 'newman'
import { describeEachStore } from '../../support/stores.ts'
import { type CloudkvHarness, cloudkvHarness, type ServedCloudkv } from './support.ts'

const COLLECTION = new URL('./cloudkv.postman_collection.json', import.meta.url).pathname

interface Execution {
  item: { name: string }
  response?: { code: number }
  requestError?: Error
  assertions?: Array<{ assertion: string; error?: Error }>
}

interface Run {
  /** "Request › assertion" -> passed. */
  assertions: Record<string, boolean>
  /** Request name -> HTTP status it got. */
  statuses: Record<string, number>
  /** The environment as the run left it. */
  environment: Record<string, string>
}

function runNewman(env: Record<string, string>, folder?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: COLLECTION,
        envVar: Object.entries(env).map(([key, value]) => ({ key, value })),
        folder,
        reporters: [],
        timeoutRequest: 10_000,
      },
      (error: Error | null, summary: any) => {
        if (error) return reject(error)
        const executions = summary.run.executions as Execution[]
        const failed = executions.find((execution) => execution.requestError)
        if (failed) return reject(failed.requestError)
        const run: Run = { assertions: {}, statuses: {}, environment: {} }
        for (const execution of executions) {
          run.statuses[execution.item.name] = execution.response!.code
          for (const { assertion, error: failure } of execution.assertions ?? []) {
            run.assertions[`${execution.item.name} › ${assertion}`] = !failure
          }
        }
        for (const variable of summary.environment.values.all())
          run.environment[variable.key] = variable.value
        resolve(run)
      },
    )
  })
}

describeEachStore('cloudkv: the seed Postman collection under newman', (store) => {
  let h: CloudkvHarness
  let server: ServedCloudkv
  let account: { id: string; key: string }
  let env: Record<string, string>
  beforeAll(async () => {
    h = cloudkvHarness(store)
    server = h.listen()
    account = await h.account()
    env = {
      endpoint_url: server.endpoint,
      account_key: account.key,
      bucket: await h.bucket(account.key, 'public'),
      value: 'hello',
      key: 'test-k7',
    }
  })
  afterAll(async () => {
    await server.stop()
    await h.kvgate.close()
  })

  test('a full run passes the five assertions a correct server can pass', async () => {
    const run = await runNewman(env)
    expect(run.assertions).toEqual({
      'Ping › Status code is 200': true,
      'Create Bucket › Successful POST request': true,
      // The Create Bucket script put the account id into account_key: every later api-key is unknown.
      'List Buckets › Status code is 200': false,
      'List Buckets › Response time is less than 200ms': true,
      'Set Key › Status code is 200': true,
      // Set Key wrote "{{value}}gnaz"; the test expects "{{value}}".
      'Get Key › Body is correct': false,
      // HEAD has no body, and test-key was never written.
      'Get Key Header › Body is correct': false,
      // The body holds key names, not a value.
      'Find Keys With Prefix › Body is correct': false,
      'Delete Key › Status code is 200': true,
    })
    expect(run.statuses).toEqual({
      Ping: 200,
      'Create Bucket': 201,
      'List Buckets': 401,
      'Delete Bucket': 401,
      'Modify Bucket': 401,
      'Set Key': 200,
      'Get Key': 200,
      'Get Key Header': 404,
      'Find Keys With Prefix': 200,
      'Delete Key': 200,
    })
    // The Keys folder worked on the public bucket Create Bucket made (Delete Bucket got a 401).
    expect(run.environment.account_key).toBe(account.id)
    const created = run.environment.bucket!
    expect(created).not.toBe(env.bucket)
    const listed = await h.call('GET', '/buckets', { key: account.key })
    const bucket = ((await listed.json()) as { buckets: Array<Record<string, unknown>> }).buckets.find(
      (each) => each.id === created,
    )
    expect(bucket).toMatchObject({
      mode: 'public',
      comment: 'Bucket for User Session Info',
      estimated_keys: 0,
    })
    expect(bucket!.key_get_success).toBe(1)
    expect(bucket!.key_get_failed).toBe(1)
  })

  test('List Buckets run on its own, with a valid key, passes both its assertions', async () => {
    const run = await runNewman(env, 'List Buckets')
    expect(run.assertions).toEqual({
      'List Buckets › Status code is 200': true,
      'List Buckets › Response time is less than 200ms': true,
    })
  })

  test('Modify Bucket and Delete Bucket, run with a valid key, do what they say', async () => {
    const bucket = await h.bucket(account.key, 'public')
    const modified = await runNewman({ ...env, bucket }, 'Modify Bucket')
    expect(modified.statuses).toEqual({ 'Modify Bucket': 200 })
    const comments = async () =>
      ((await (await h.call('GET', '/buckets', { key: account.key })).json()) as { buckets: any[] }).buckets
        .filter((each) => each.id === bucket)
        .map((each) => each.comment)
    expect(await comments()).toEqual(["This is a comment to describe what's in my bucket"])
    const deleted = await runNewman({ ...env, bucket }, 'Delete Bucket')
    expect(deleted.statuses).toEqual({ 'Delete Bucket': 200 })
    expect(await comments()).toEqual([])
  })

  test('the Keys folder needs a public bucket: it sends no api-key', async () => {
    const bucket = await h.bucket(account.key, 'public-read')
    const run = await runNewman({ ...env, bucket }, 'Keys')
    expect(run.statuses).toEqual({
      'Set Key': 401,
      'Get Key': 404,
      'Get Key Header': 404,
      'Find Keys With Prefix': 404,
      'Delete Key': 401,
    })
  })

  test('with an empty value, Get Key Header passes, vacuously: a HEAD body is always empty', async () => {
    const run = await runNewman({ ...env, value: '' }, 'Keys')
    expect(run.assertions).toEqual({
      'Set Key › Status code is 200': true,
      'Get Key › Body is correct': false,
      'Get Key Header › Body is correct': true,
      'Find Keys With Prefix › Body is correct': false,
      'Delete Key › Status code is 200': true,
    })
  })
})
