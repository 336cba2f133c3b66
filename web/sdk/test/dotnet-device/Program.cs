// Usage: DotnetDevice <server-url> <email> <password> <database-path> <write|read>
// write: logs in, syncs, adds a contact, edits the browser's contact and appends to the shared
//        note's paragraph, syncs again. read: logs in, syncs. Both print the device's view as JSON.
using System.Text.Json;
using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;

var (server, email, password, database, step) = (args[0], args[1], args[2], args[3], args[4]);
await using var client = await SyncClient.OpenAsync(new SyncClientOptions { DatabasePath = database, ServerUri = new Uri(server) });
await client.LoginAsync(email, password);
await client.SyncNowAsync();

if (step == "write")
{
    await client.Contacts.CreateAsync(new Contact { Id = "dotnet-contact", Name = "Made on .NET", Company = "Dotnet" });
    await client.Contacts.UpdateAsync("web-contact", c => c.Title = "edited on .NET");
    using (var note = await client.Documents.OpenAsync("shared-note"))
    {
        await client.SyncNowAsync(); // a note opened since the last step gets the server's state
        lock (note.SyncRoot)
        {
            note.Doc.Transact(_ =>
            {
                var text = Paragraph(note.Doc) ?? throw new InvalidOperationException("the note has no paragraph text");
                text.Insert(text.Length, " and .NET");
            });
        }

        await client.SyncNowAsync();
    }
}

var contacts = (await client.Contacts.ListAsync()).Where(c => !c.IsContactZero)
    .Select(c => new { id = c.Id, name = c.Name, title = c.Title, company = c.Company, sync_version = c.SyncVersion })
    .OrderBy(c => c.id, StringComparer.Ordinal).ToList();
string? body;
using (var note = await client.Documents.OpenAsync("shared-note"))
{
    await client.SyncNowAsync();
    lock (note.SyncRoot)
    {
        body = Paragraph(note.Doc)?.ToString();
    }
}

Console.WriteLine(JsonSerializer.Serialize(new { contacts, note = body }));

static YText? Paragraph(YDoc doc) => doc.GetMap("blocks").Get<YMap>("paragraph")?.Get<YText>("prop:text");
