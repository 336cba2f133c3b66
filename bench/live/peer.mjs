// The peer: @hocuspocus/server 4.7.0 on a port, in memory or with its SQLite extension (a file).
//   node peer.mjs PORT [SQLITE_FILE]
import { Server } from '@hocuspocus/server'

const [port, file] = process.argv.slice(2)
const extensions = []
if (file) {
  const { SQLite } = await import('@hocuspocus/extension-sqlite')
  extensions.push(new SQLite({ database: file }))
}
const server = new Server({ port: Number(port), quiet: true, extensions, async onAuthenticate () {} })
await server.listen()
console.log(JSON.stringify({ listening: Number(port), persistence: file ? 'sqlite' : 'memory' }))
