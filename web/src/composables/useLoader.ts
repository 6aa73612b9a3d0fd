import { ref } from 'vue'
import { errorMessage } from '@/api/client'

// One loading flag and error message around a page's reads: `run(fn)` sets `loading`, clears
// the previous error, and keeps the message of a failure (in the UI's language, from the
// server's error body) for the page to show; it answers undefined then.
export function useLoader() {
  const loading = ref(false)
  const error = ref<string | null>(null)
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    loading.value = true
    error.value = null
    try {
      return await fn()
    } catch (e) {
      error.value = errorMessage(e)
      return undefined
    } finally {
      loading.value = false
    }
  }
  return { loading, error, run }
}
