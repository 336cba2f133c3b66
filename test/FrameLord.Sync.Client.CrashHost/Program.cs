using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Crdt.Types;

// Usage: CrashHost <database> <server-url> <email> <password> <writes> [note-id]
// Logs in, starts the sync loop with a short debounce, then creates contacts one by one. After
// each create returns (committed locally) it prints "W <id>"; after each push that emptied part of
// the outbox it prints "A <pending>". The test kills it at some point and checks what survived.
// With a note id it adds blocks to that note's body instead, one transaction each ("W <block key>"),
// and prints "A <notes>" after each sync step's documents phase.
if (args.Length is not (5 or 6))
{
    Console.Error.WriteLine("usage: CrashHost <database> <server-url> <email> <password> <writes> [note-id]");
    return 2;
}

var (database, server, email, password, writes) = (args[0], new Uri(args[1]), args[2], args[3], int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
await using var client = await SyncClient.OpenAsync(new SyncClientOptions
{
    DatabasePath = database,
    ServerUri = server,
    DebounceDelay = TimeSpan.FromMilliseconds(20),
    MaxDebounceDelay = TimeSpan.FromMilliseconds(100),
    PushBatchSize = 50,
});
await client.LoginAsync(email, password);
var output = Console.Out;
var gate = new Lock();
var lastPending = -1;

// One line at a time, flushed at once: the test reads them as the process goes, up to the kill.
void Say(string line)
{
    lock (gate)
    {
        output.WriteLine(line);
        output.Flush();
    }
}

client.StatusChanged += (_, e) =>
{
    lock (gate)
    {
        if (e.State.PendingChanges < lastPending || lastPending < 0)
        {
            Say($"A {e.State.PendingChanges}");
        }

        lastPending = e.State.PendingChanges;
    }
};
if (args.Length == 6)
{
    var note = await client.Documents.OpenAsync(args[5]);
    client.ProgressChanged += (_, e) =>
    {
        if (e.Phase == SyncPhase.Documents && e.Done > 0 && e.Done == e.Total)
        {
            Say($"A {e.Done}");
        }
    };
    client.Start();
    for (var i = 0; i < writes; i++)
    {
        var key = $"b-{i:D6}";
        // The loop applies what the server sends under this lock (no synchronization context here).
        lock (note.SyncRoot)
        {
            note.Doc.Transact(_ =>
            {
                var block = note.Doc.GetMap("blocks").Set(key, new YMap());
                block.Set("prop:text", new YText()).Insert(0, $"block {i}");
                block.Set("sys:children", new YArray());
            });
        }

        Say($"W {key}");

        await Task.Delay(1);
    }

    Console.Out.WriteLine("DONE");
    await Task.Delay(Timeout.Infinite);
    return 0;
}

client.Start();
for (var i = 0; i < writes; i++)
{
    var created = await client.Contacts.CreateAsync(new Contact { Name = $"Contact {i}", Email = $"c{i}@example.com" });
    Say($"W {created.Id}");

    await Task.Delay(2);
}

Console.Out.WriteLine("DONE");
await Task.Delay(Timeout.Infinite);
return 0;
