import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n, currentLang, setLang } from './i18n'
import { configureApi } from './api/client'
import { useAuth } from './stores/auth'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)

const auth = useAuth(pinia)
configureApi({
  language: currentLang,
  csrf: () => auth.csrf,
  networkMessage: () => i18n.global.t('common.networkError'),
  onUnauthenticated: () => {
    // The session ended (expired, logged out elsewhere): back to the login page, then return here.
    const wasSignedIn = !!auth.user
    auth.clear()
    const here = router.currentRoute.value
    if (here.name !== 'login') {
      router.replace({ name: 'login', query: { redirect: here.fullPath, ...(wasSignedIn ? { expired: '1' } : {}) } })
    }
  },
})
setLang(currentLang())
app.mount('#app')
