// Lists on Redis: a sorted set of canonical elements scored by position and a hash of their texts
// per list, and a sorted set naming the namespace's lists (layout in keys.ts); each mutation is
// one script (list-*.lua).

import type { Buffer } from 'node:buffer'
import type { ListElement } from '../backend.ts'
import { compareBytes, prefixEnd } from '../bytes.ts'
import { InvalidError } from '../errors.ts'
import { bytes, type Reply } from './codecs.ts'
import type { RedisConnection } from './connection.ts'
import { lex } from './keys.ts'

export class RedisLists {
  constructor(private readonly redis: RedisConnection) {}

  async write(ns: string, key: Uint8Array, elements: ListElement[]): Promise<string[]> {
    await this.redis.run('listWrite', this.keysOf(ns, key), [key, ...pairs(elements)])
    return elements.map((element) => element.text)
  }

  async add(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    const reply = (await this.redis.run('listAdd', this.keysOf(ns, key), [
      key,
      maxItems,
      ...pairs(elements),
    ])) as string[]
    if (reply[0] === 'too_many') throw new InvalidError('list-size', `a list holds at most ${maxItems} items`)
    return reply.slice(1)
  }

  async remove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    const reply = (await this.redis.run('listRemove', this.keysOf(ns, key), [key, ...canons])) as string[]
    return reply[0] === 'none' ? null : reply.slice(1)
  }

  async range(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    const reply = (await this.redis.run('listRead', this.keysOf(ns, key), [
      key,
      'range',
      start,
      end,
    ])) as string[]
    return reply[0] === 'none' ? null : reply.slice(1)
  }

  async count(ns: string, key: Uint8Array): Promise<number | null> {
    const reply = (await this.redis.run('listRead', this.keysOf(ns, key), [key, 'count'])) as Reply[]
    return reply[0] === 'none' ? null : (reply[1] as number)
  }

  async index(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    const reply = (await this.redis.run('listRead', this.keysOf(ns, key), [
      key,
      'index',
      ...canons,
    ])) as Reply[]
    return reply[0] === 'none' ? null : (reply[1] as number)
  }

  async delete(ns: string, key: Uint8Array): Promise<boolean> {
    return ((await this.redis.run('listDelete', this.keysOf(ns, key), [key])) as number) === 1
  }

  async keys(
    ns: string,
    prefix: Uint8Array | undefined,
    limit: number,
    after?: Uint8Array,
  ): Promise<Uint8Array[]> {
    const end = prefix?.length ? prefixEnd(prefix) : null
    const start =
      after && (!prefix?.length || compareBytes(after, prefix) >= 0)
        ? lex.after(after)
        : prefix?.length
          ? lex.from(prefix)
          : lex.min
    const members = await this.redis.guarded(
      this.redis.client.zrangebylexBuffer(
        this.redis.keys(ns).lists,
        start,
        end ? lex.after(end) : lex.max,
        'LIMIT',
        0,
        limit,
      ),
    )
    return members.map(bytes)
  }

  /** The keys every list script declares: the list's items and texts, and the namespace's list index. */
  private keysOf(ns: string, key: Uint8Array): Buffer[] {
    const keys = this.redis.keys(ns)
    return [keys.listItems(key), keys.listTexts(key), keys.lists]
  }
}

function pairs(elements: ListElement[]): string[] {
  return elements.flatMap((element) => [element.canon, element.text])
}
