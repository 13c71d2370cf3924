import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { connectApi } from '../api'
import { i18n } from '../i18n'
import { setApiClient } from '../stores/api'
import App from './App.vue'
import './styles.css'

setApiClient(connectApi())
const app = createApp(App)
app.use(createPinia()).use(i18n)
// Whatever goes wrong in a component is shown, never a blank screen.
app.config.errorHandler = (error) => {
  console.error(error)
  window.dispatchEvent(new CustomEvent('zoodesk:error', { detail: error }))
}
app.mount('#app')
