// The HTTP client of `kvgate migrate`: every request to the hosted service goes through here. A 429
// pauses every request of the migration until its Retry-After has passed (seconds or an HTTP date;
// 1 s without one), then the request is sent again; a network error or a 5xx is retried a few times
// with a growing wait. Other answers go back to the caller as they are.

export class SourceError extends Error {}

export interface SourceHttpOptions {
  /** Stops waiting and retrying (Ctrl-C). */
  signal?: AbortSignal
  /** Longest wait a Retry-After may ask for. */
  maxRetryAfterMs?: number
}

const SERVER_ERROR_RETRIES = 5
const DEFAULT_RETRY_AFTER_MS = 1000

export class SourceHttp {
  /** 429 answers received, for the summary. */
  throttled = 0
  requests = 0
  /** No request is sent before this time: the latest Retry-After asked for it. */
  private pausedUntil = 0

  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly options: SourceHttpOptions = {},
  ) {}

  /** GET (or another method) of a path below the base URL; the answer of the first try that is not throttled. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.baseUrl}${path}`
    for (let attempt = 0; ; attempt++) {
      await this.waitForPause()
      let response: Response
      try {
        this.requests++
        response = await fetch(url, {
          ...init,
          headers: { ...this.headers, ...(init.headers as Record<string, string> | undefined) },
          signal: this.options.signal,
        })
      } catch (error) {
        if (this.options.signal?.aborted) throw error
        if (attempt >= SERVER_ERROR_RETRIES) throw new SourceError(`${url}: ${(error as Error).message}`)
        await this.sleep(backoff(attempt))
        continue
      }
      if (response.status === 429) {
        this.throttled++
        await response.body?.cancel()
        const wait = Math.min(
          retryAfterMs(response.headers.get('retry-after')),
          this.options.maxRetryAfterMs ?? 300_000,
        )
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait)
        continue
      }
      if (response.status >= 500 && attempt < SERVER_ERROR_RETRIES) {
        await response.body?.cancel()
        await this.sleep(backoff(attempt))
        continue
      }
      return response
    }
  }

  /** The answer's body when it is 2xx; otherwise a SourceError that says what the service answered. */
  async ok(path: string, init?: RequestInit): Promise<Response> {
    const response = await this.request(path, init)
    if (response.ok) return response
    const text = (await response.text()).slice(0, 300)
    throw new SourceError(
      `${init?.method ?? 'GET'} ${this.baseUrl}${path} answered ${response.status}: ${text}`,
    )
  }

  private async waitForPause(): Promise<void> {
    while (this.pausedUntil > Date.now()) await this.sleep(this.pausedUntil - Date.now())
  }

  private sleep(ms: number): Promise<void> {
    const { signal } = this.options
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', abort)
        resolve()
      }, ms)
      const abort = () => {
        clearTimeout(timer)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', abort, { once: true })
    })
  }
}

const backoff = (attempt: number) => Math.min(200 * 2 ** attempt, 5000)

/** Retry-After as delay-seconds or an HTTP date (RFC 9110, 10.2.3). */
export function retryAfterMs(header: string | null): number {
  if (header === null) return DEFAULT_RETRY_AFTER_MS
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - Date.now())
}

/** A key's bytes as one path segment: every byte outside the unreserved set percent-encoded, and dots
 * too, so that a key "." or ".." is not taken for a path step. */
export function encodeKey(key: Uint8Array): string {
  let out = ''
  for (const byte of key) {
    const char = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-_~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
