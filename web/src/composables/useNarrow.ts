import { onBeforeUnmount, ref } from 'vue'

// Phone width (grid workers on their phones): below 768 px the menu moves into a drawer
// and tables give way to lists.
const QUERY = '(max-width: 767px)'

export function useNarrow() {
  const mq = window.matchMedia(QUERY)
  const narrow = ref(mq.matches)
  const onChange = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  mq.addEventListener('change', onChange)
  onBeforeUnmount(() => mq.removeEventListener('change', onChange))
  return narrow
}
