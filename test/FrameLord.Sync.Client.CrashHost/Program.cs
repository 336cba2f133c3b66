using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Models;

// Usage: CrashHost <database> <server-url> <email> <password> <writes>
// Logs in, starts the sync loop with a short debounce, then creates contacts one by one. After
// each create returns (committed locally) it prints "W <id>"; after each push that emptied part of
// the outbox it prints "A <pending>". The test kills it at some point and checks what survived.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: CrashHost <database> <server-url> <email> <password> <writes>");
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
client.StatusChanged += (_, e) =>
{
    lock (gate)
    {
        if (e.State.PendingChanges < lastPending || lastPending < 0)
        {
            output.WriteLine($"A {e.State.PendingChanges}");
            output.Flush();
        }

        lastPending = e.State.PendingChanges;
    }
};
client.Start();
for (var i = 0; i < writes; i++)
{
    var created = await client.Contacts.CreateAsync(new Contact { Name = $"Contact {i}", Email = $"c{i}@example.com" });
    lock (gate)
    {
        output.WriteLine($"W {created.Id}");
        output.Flush();
    }

    await Task.Delay(2);
}

Console.Out.WriteLine("DONE");
await Task.Delay(Timeout.Infinite);
return 0;
