import type { EntityStore, Task } from '@framelord/sync'
import { h, replaceChildren } from '../dom.js'

/** Tasks: add one, tick it off (status `done`), untick it. */
export class TasksView {
  readonly element: HTMLElement
  readonly #open = h('ul', { class: 'list tasks', 'aria-label': 'Open tasks' })
  readonly #done = h('ul', { class: 'list tasks', 'aria-label': 'Completed tasks' })
  readonly #store: EntityStore<Task>
  readonly #unsubscribe: () => void

  constructor (store: EntityStore<Task>) {
    this.#store = store
    const input = h('input', { type: 'text', name: 'title', 'aria-label': 'Task title', placeholder: 'What needs doing?', autocomplete: 'off' })
    const form = h('form', { class: 'task-form', 'aria-label': 'New task' }, input, h('button', { type: 'submit', class: 'btn primary' }, 'Add task'))
    form.addEventListener('submit', async event => {
      event.preventDefault()
      const title = input.value.trim()
      if (title === '') return input.focus()
      await store.create({ title, status: 'open' })
      input.value = ''
      input.focus()
    })
    this.element = h('section', { class: 'pane', 'aria-labelledby': 'tasks-heading' },
      h('div', { class: 'pane-head' }, h('h2', { id: 'tasks-heading' }, 'Tasks')),
      form, this.#open, h('h3', {}, 'Done'), this.#done)
    this.#unsubscribe = store.subscribe(() => void this.render())
  }

  async render (): Promise<void> {
    const tasks = (await this.#store.list()).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
    const row = (task: Task) => {
      const done = task.status === 'done'
      const box = h('input', { type: 'checkbox', id: `task-${task.id}`, checked: done })
      box.addEventListener('change', () => void this.#store.update(task.id, { status: box.checked ? 'done' : 'open' }))
      return h('li', { class: done ? 'done' : '' }, box, h('label', { for: box.id }, task.title || '(untitled)'))
    }
    const open = tasks.filter(t => t.status !== 'done')
    const done = tasks.filter(t => t.status === 'done')
    replaceChildren(this.#open, open.length ? open.map(row) : h('li', { class: 'empty' }, 'Nothing to do.'))
    replaceChildren(this.#done, done.length ? done.map(row) : h('li', { class: 'empty' }, 'Nothing done yet.'))
  }

  destroy (): void {
    this.#unsubscribe()
  }
}
