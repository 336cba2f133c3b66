/**
 * Who this browser is, for the cursors other people see: the user's name and this device's name,
 * kept in localStorage (per browser profile, like the SDK's IndexedDB).
 */
const NAME_KEY = 'framelord.displayName'
const DEVICE_KEY = 'framelord.deviceName'

const palette = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626']

export function guessDeviceName (): string {
  const ua = navigator.userAgent
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser'
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : ''
  return os ? `${browser} on ${os}` : browser
}

export function deviceName (): string {
  return localStorage.getItem(DEVICE_KEY) || guessDeviceName()
}

export function displayName (): string {
  return localStorage.getItem(NAME_KEY) || 'Me'
}

export function remember (name: string | null, device: string | null): void {
  if (name) localStorage.setItem(NAME_KEY, name)
  if (device) localStorage.setItem(DEVICE_KEY, device)
}

export function forget (): void {
  localStorage.removeItem(NAME_KEY)
}

/** A stable colour for a name, so a person keeps their colour across reloads. */
export function colorFor (name: string): string {
  let hash = 0
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0
  return palette[hash % palette.length]
}
