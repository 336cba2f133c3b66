using System.Diagnostics;
using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>
/// Live note propagation, SDK to SDK (DESIGN 3.8, target under 100 ms): two devices of one user hold a note open
/// over the y-websocket endpoint; A types one character at a time (a pause after each) and the time until B's
/// document has it is taken per character. The peer, in the same run against the same server: two bare sockets
/// passing the same Yjs updates with no SDK around them (the floor the server and the network set). The server
/// runs in a process of its own. Reports p50, p90, p99 and max of both, and their ratio at p50 and p99.
/// </summary>
public static class LiveNoteHarness
{
    public static async Task RunAsync(int characters, int pauseMs)
    {
        using var server = ServerProcess.Start(Backend.Sqlite);
        var folder = Directory.CreateTempSubdirectory("framelord-live-bench-").FullName;
        var http = new HttpSyncTransport(new HttpSyncTransportOptions { ServerUri = server.Address });
        var email = $"live-{Guid.NewGuid():N}@example.com";
        await using var a = await OpenAsync(folder, "a", server.Address, http);
        await a.SignupAsync(email, "correct horse battery", "Bench");
        await using var b = await OpenAsync(folder, "b", server.Address, http);
        await b.LoginAsync(email, "correct horse battery");
        a.Start();
        b.Start();
        var noteA = await a.Documents.OpenAsync("bench-note");
        var noteB = await b.Documents.OpenAsync("bench-note");
        while (noteA.Connection != DocumentConnection.Live || noteB.Connection != DocumentConnection.Live)
        {
            await Task.Delay(10);
        }

        var sdk = await MeasureSdkAsync(noteA, noteB, characters, pauseMs);
        var bare = await MeasureBareAsync(server.Address, a.AccessToken!, characters, pauseMs);
        Console.WriteLine($"{characters} characters, one every {pauseMs} ms; server: SQLite (synchronous=FULL) in its own process");
        Report("SDK to SDK (NoteDocument, live socket)", sdk);
        Report("bare sockets (no SDK)", bare);
        Console.WriteLine($"ratio SDK / bare: p50 {Percentile(sdk, 0.5) / Percentile(bare, 0.5):F2}, p99 {Percentile(sdk, 0.99) / Percentile(bare, 0.99):F2}");
        http.Dispose();
    }

    private static async Task<SyncClient> OpenAsync(string folder, string name, Uri address, ISyncTransport transport) =>
        await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = Path.Combine(folder, name + ".db"),
            Transport = transport,
            LiveDocuments = new ClientWebSocketConnector(address),
            Random = new Random(name[0]),
        });

    private static async Task<double[]> MeasureSdkAsync(NoteDocument noteA, NoteDocument noteB, int characters, int pauseMs)
    {
        var textA = noteA.Doc.GetText("body");
        var textB = noteB.Doc.GetText("body");
        var arrived = new TaskCompletionSource();
        var expected = 0;
        // Raised inside the transaction that applied the socket's update (the SDK holds the document's lock).
        noteB.Doc.UpdateV1 += (_, _) =>
        {
            if (textB.Length >= Volatile.Read(ref expected))
            {
                arrived.TrySetResult();
            }
        };
        var times = new double[characters];
        for (var i = 0; i < characters; i++)
        {
            arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref expected, i + 1);
            var start = Stopwatch.GetTimestamp();
            lock (noteA.SyncRoot)
            {
                textA.Insert(textA.Length, "x");
            }

            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            await Task.Delay(pauseMs);
        }

        Array.Sort(times);
        return times;
    }

    private static async Task<double[]> MeasureBareAsync(Uri address, string token, int characters, int pauseMs)
    {
        var connector = new ClientWebSocketConnector(address);
        await using var sender = await connector.ConnectAsync("bench-bare", token, CancellationToken.None);
        await using var receiver = await connector.ConnectAsync("bench-bare", token, CancellationToken.None);
        await receiver.ReceiveAsync(CancellationToken.None); // the server's sync step 1
        var doc = new YDoc(new YDocOptions { ClientId = 7 });
        var text = doc.GetText("body");
        byte[]? update = null;
        doc.UpdateV1 += (_, e) => update = e.Update;
        var times = new double[characters];
        for (var i = 0; i < characters; i++)
        {
            var start = Stopwatch.GetTimestamp();
            text.Insert(text.Length, "x");
            await sender.SendAsync(YWebSocketMessage.Update(update!), CancellationToken.None);
            while (YWebSocketMessage.Decode(await receiver.ReceiveAsync(CancellationToken.None) ?? throw new InvalidOperationException("closed")).Kind != YMessageKind.Update)
            {
            }

            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            await Task.Delay(pauseMs);
        }

        Array.Sort(times);
        return times;
    }

    private static void Report(string what, double[] sorted) =>
        Console.WriteLine($"{what,-42} p50 {Percentile(sorted, 0.5),7:F2} ms  p90 {Percentile(sorted, 0.9),7:F2}  p99 {Percentile(sorted, 0.99),7:F2}  max {sorted[^1],7:F2}");

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
