// Idempotency-Key values for the API's writes (docs/api.md): random, with a prefix that says
// which page made them. crypto.randomUUID needs a secure context, getRandomValues does not.
export function newKey(prefix: string): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return prefix + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

// One key per distinct request body: a retry of the same content reuses the key, so the server
// answers the ticket it already filed; changed content gets a new key.
export function keyPerContent(prefix: string) {
  let content = ''
  let key = ''
  return {
    for(body: unknown): string {
      const s = JSON.stringify(body)
      if (s !== content) {
        content = s
        key = newKey(prefix)
      }
      return key
    },
    reset() {
      content = ''
    },
  }
}
