import { field, h, replaceChildren } from '../dom.js'
import { deviceName, remember } from '../identity.js'

export interface AuthActions {
  signup (email: string, password: string, displayName: string, device: string): Promise<void>
  login (email: string, password: string, device: string): Promise<void>
}

/** The sign-up and log-in forms, one at a time, with a link to switch. */
export function renderAuth (root: HTMLElement, actions: AuthActions, mode: 'login' | 'signup' = 'signup'): void {
  const error = h('p', { class: 'form-error', role: 'alert' })
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true })
  const password = h('input', { type: 'password', name: 'password', autocomplete: mode === 'signup' ? 'new-password' : 'current-password', required: true, minlength: 8 })
  const name = h('input', { type: 'text', name: 'display_name', autocomplete: 'name', required: true })
  const device = h('input', { type: 'text', name: 'device_name', value: deviceName() })
  const submit = h('button', { type: 'submit', class: 'btn primary' }, mode === 'signup' ? 'Sign up' : 'Log in')
  submit.style.width = '100%'
  submit.style.justifyContent = 'center'

  const form = h('form', { 'aria-label': mode === 'signup' ? 'Sign up' : 'Log in', novalidate: true },
    mode === 'signup' ? field('Display name', name) : null,
    field('Email', email),
    field('Password', password, mode === 'signup' ? 'At least 8 characters.' : undefined),
    field('Device name', device, 'Shown to you on your other devices.'),
    submit,
    error)
  form.addEventListener('submit', async event => {
    event.preventDefault()
    error.textContent = ''
    if (!email.value.includes('@')) return fail('Enter your email address.', email)
    if (password.value.length < 8) return fail('The password needs at least 8 characters.', password)
    if (mode === 'signup' && name.value.trim() === '') return fail('Enter the name others should see.', name)
    submit.disabled = true
    try {
      const deviceLabel = device.value.trim() || deviceName()
      if (mode === 'signup') {
        remember(name.value.trim(), deviceLabel)
        await actions.signup(email.value.trim(), password.value, name.value.trim(), deviceLabel)
      } else {
        remember(email.value.trim().split('@')[0], deviceLabel)
        await actions.login(email.value.trim(), password.value, deviceLabel)
      }
    } catch (e) {
      fail(messageOf(e))
    } finally {
      submit.disabled = false
    }
  })

  function fail (message: string, focus?: HTMLElement): void {
    error.textContent = message
    focus?.focus()
  }

  const other = mode === 'signup' ? 'login' : 'signup'
  const switcher = h('p', { class: 'switch' },
    mode === 'signup' ? 'Already have an account? ' : 'New to FrameLord? ',
    h('button', { type: 'button', class: 'link', onclick: () => renderAuth(root, actions, other) },
      mode === 'signup' ? 'Log in instead' : 'Sign up instead'))

  replaceChildren(root, h('main', { class: 'auth' },
    h('section', { class: 'auth-card', 'aria-labelledby': 'auth-title' },
      h('h1', { id: 'auth-title' }, h('img', { src: 'icon.svg', alt: '' }), mode === 'signup' ? 'Create your FrameLord account' : 'Welcome back'),
      h('p', { class: 'lead' }, 'Contacts, tasks and notes that work offline and sync across your devices.'),
      form,
      switcher)))
  ;(mode === 'signup' ? name : email).focus()
}

function messageOf (e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'EMAIL_TAKEN') return 'An account with this email exists already. Log in instead.'
  if (code === 'INVALID_CREDENTIALS') return 'The email or the password is wrong.'
  if (code === 'RATE_LIMITED') return 'Too many attempts. Wait a minute and try again.'
  if (code === 'NETWORK_ERROR' || (e as { status?: number }).status === 0) return 'The server cannot be reached. Check your connection.'
  return e instanceof Error ? e.message : 'Something went wrong.'
}
