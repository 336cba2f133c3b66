/**
 * Routes live in the URL fragment (`#/contacts/cnt_1`): the server then serves one file for every
 * page, the service worker caches one shell, and an unknown server path stays a JSON 404.
 */
export type Section = 'contacts' | 'tasks' | 'notes'

export interface Route {
  section: Section
  /** The open entity, if any. */
  id: string | null
  /** Contacts only: the archive view. */
  archive: boolean
}

export function parseRoute (hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?')
  const [section, id] = path.split('/').map(part => decodeURIComponent(part))
  const known: Section[] = ['contacts', 'tasks', 'notes']
  return {
    section: known.includes(section as Section) ? section as Section : 'contacts',
    id: id || null,
    archive: new URLSearchParams(query).has('archive'),
  }
}

export function href (section: Section, id?: string | null, archive = false): string {
  return `#/${section}${id ? '/' + encodeURIComponent(id) : ''}${archive ? '?archive' : ''}`
}

export function navigate (section: Section, id?: string | null, archive = false): void {
  const target = href(section, id, archive)
  if (location.hash !== target) location.hash = target
}
