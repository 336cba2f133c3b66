using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Client.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Documents;

/// <summary>An open note's live connection against scripted sockets and the injected clock (no network, no server).</summary>
public sealed class LiveConnectionTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly ScriptedTransport _transport = new();
    private readonly FakeDocumentServer _server = new();
    private readonly ScriptedLiveSockets _sockets = new();
    private int _refreshes;
    private SyncClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _transport.OnDocumentSync = _server.Sync;
        _client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = _folder.File("device.db"),
            Transport = _transport,
            LiveDocuments = _sockets,
            TimeProvider = _time,
            Random = new Random(1),
            RetryDelays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)],
            RefreshAccessToken = _ => Task.FromResult($"fresh-{Interlocked.Increment(ref _refreshes)}"),
        });
        await _client.SignupAsync("me@example.com", "pw");
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Socket_Handshakes_SendsEdits_RefreshesOn4401_AndBacksOffOnTheInjectedClock()
    {
        _client.Start();
        var note = await _client.Documents.OpenAsync("n1");
        await Wait.UntilAsync(() => _sockets.Sockets.Count == 1 && _sockets.Sockets[0].Sent.Count >= 1, "the socket opened and sent step 1");
        var first = _sockets.Sockets[0];
        Assert.Equal("token-1", _sockets.Tokens[0]);
        Assert.Equal(YMessageKind.SyncStep1, first.Sent[0].Kind);

        // The server's step 1 (it has nothing) is answered with step 2; its step 2 makes the note live.
        first.Push(YWebSocketMessage.SyncStep1([0]));
        await Wait.UntilAsync(() => first.Sent.Any(m => m.Kind == YMessageKind.SyncStep2), "step 2 answered");
        first.Push(YWebSocketMessage.SyncStep2(Crdt.YUpdate.Empty.ToArray()));
        await Wait.UntilAsync(() => note.Connection == DocumentConnection.Live, "the note is live");

        // A local edit goes out as an update; the server's update comes into the document.
        lock (note.SyncRoot)
        {
            note.Doc.GetText("t").Insert(0, "local");
        }

        await Wait.UntilAsync(() => first.Sent.Any(m => m.Kind == YMessageKind.Update), "the edit went out");
        var remote = new Crdt.YDoc(new Crdt.YDocOptions { ClientId = 99 });
        remote.GetText("t").Insert(0, "remote ");
        first.Push(YWebSocketMessage.Update(remote.EncodeStateAsUpdate()));
        await Wait.UntilAsync(() =>
        {
            lock (note.SyncRoot)
            {
                return note.Doc.GetText("t").ToString().Contains("remote", StringComparison.Ordinal);
            }
        }, "the remote update applied");

        // 4401: a fresh token at once, no backoff.
        first.CloseWith(4401);
        await Wait.UntilAsync(() => _sockets.Sockets.Count == 2, "reconnected after 4401");
        Assert.StartsWith("fresh-", _sockets.Tokens[1], StringComparison.Ordinal);

        // A drop: the next attempt waits for the backoff on the injected clock.
        _sockets.Sockets[1].Abort();
        await Wait.UntilAsync(() => note.Connection == DocumentConnection.Connecting || note.Connection == DocumentConnection.Rest, "dropped");
        await Wait.SettleAsync();
        Assert.Equal(2, _sockets.Sockets.Count);
        _time.Advance(TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(() => _sockets.Sockets.Count == 3, "reconnected after the backoff");

        // A refusal (4400) ends the socket for this open: no more attempts, REST goes on.
        _sockets.Sockets[2].CloseWith(4400);
        await Wait.SettleAsync();
        _time.Advance(TimeSpan.FromMinutes(5));
        await Wait.SettleAsync();
        Assert.Equal(3, _sockets.Sockets.Count);
        Assert.Equal(DocumentConnection.Rest, note.Connection);
    }

    [Fact]
    public async Task DocEvent_ForALiveNote_StartsNoStep_ButForANoteOnRest_DoesAsBefore()
    {
        Action<string, string>? raise = null;
        var live = new LiveScriptedTransport(_transport)
        {
            OnListen = (onEvent, cancellationToken) =>
            {
                raise = onEvent;
                return Task.Delay(Timeout.Infinite, cancellationToken);
            },
        };
        await using var client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = _folder.File("events.db"),
            Transport = live,
            LiveDocuments = _sockets,
            TimeProvider = _time,
            Random = new Random(2),
        });
        await client.SignupAsync("me@example.com", "pw");
        client.Start();
        var note = await client.Documents.OpenAsync("n1");
        await Wait.UntilAsync(() => _sockets.Sockets.Count == 1 && raise is not null, "the socket and the event stream opened");
        var socket = _sockets.Sockets[0];
        socket.Push(YWebSocketMessage.SyncStep1([0]));
        socket.Push(YWebSocketMessage.SyncStep2(Crdt.YUpdate.Empty.ToArray()));
        await Wait.UntilAsync(() => note.Connection == DocumentConnection.Live, "the note is live");
        await Wait.UntilAsync(() => client.LoopWaitingUntil is not null, "the loop is idle");
        await Wait.SettleAsync();
        var pulls = _transport.Pulls.Count;

        // Another device typed: the socket brings it, so the event must not cost a step (a pull per keystroke).
        raise!("doc", """{"note_id":"n1","sync_version":5}""");
        await Wait.SettleAsync();
        Assert.Equal(pulls, _transport.Pulls.Count);

        // Off the socket, the same event makes a step, as it always did.
        socket.CloseWith(4400);
        await Wait.UntilAsync(() => note.Connection == DocumentConnection.Rest, "the note is back on REST");
        await Wait.UntilAsync(() => client.LoopWaitingUntil is not null, "the loop is idle");
        pulls = _transport.Pulls.Count;
        raise!("doc", """{"note_id":"n1","sync_version":6}""");
        await Wait.UntilAsync(() => _transport.Pulls.Count > pulls, "the event started a step");
    }
}
