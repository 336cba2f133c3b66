using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>
/// Open notes over the live socket (DESIGN 3.8) between SDK devices and the real server: edits and awareness
/// travel over the socket with no REST note sync, a dead socket hands the note back to REST, a reconnect resumes,
/// and a 4401 gets a fresh token.
/// </summary>
public abstract partial class SyncScenarioTests
{
    private const string LiveNote = "note_live";

    /// <summary>A device whose loop opens live sockets on the real endpoint, through a connector the test can kill; its transport counts REST calls.</summary>
    private async Task<(SyncClient Client, FaultyTransport Transport, KillableConnector Sockets)> OpenLiveDeviceAsync(
        string name, TimeSpan debounce, bool signup = false)
    {
        var transport = new FaultyTransport(Http());
        var sockets = new KillableConnector(new ClientWebSocketConnector(Server.BaseAddress));
        var login = Http();
        var client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = Folder.File(name + ".db"),
            Transport = transport,
            LiveDocuments = sockets,
            Random = new Random(++_seed),
            DebounceDelay = debounce,
            MaxDebounceDelay = debounce,
            PullInterval = TimeSpan.FromMinutes(10),
            RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)],
            RefreshAccessToken = async ct => (await login.LoginAsync(new LoginRequest { Email = Email, Password = Password }, ct)).AccessToken,
        });
        _clients.Add(client);
        if (signup)
        {
            await client.SignupAsync(Email, Password, "Sarah");
        }
        else
        {
            await client.LoginAsync(Email, Password);
        }

        return (client, transport, sockets);
    }

    private static void Edit(NoteDocument note, string key, string text)
    {
        lock (note.SyncRoot)
        {
            note.Doc.Transact(_ => BlockEditor.AddBlock(note.Doc.GetMap("blocks"), key, text));
        }
    }

    private static bool Has(NoteDocument note, string key)
    {
        lock (note.SyncRoot)
        {
            return note.Doc.GetMap("blocks").Has(key);
        }
    }

    /// <summary>Waits until the loop sits idle (not in a step), so what follows is not mixed with a step under way.</summary>
    private static async Task IdleAsync(params SyncClient[] clients)
    {
        await Wait.UntilAsync(() => clients.All(c => c.LoopWaitingUntil is not null && c.State.Status != SyncStatus.Syncing), "the loops are idle");
        await Wait.SettleAsync();
    }

    private static int DocumentSyncCount(FaultyTransport transport)
    {
        lock (transport.DocumentSyncs)
        {
            return transport.DocumentSyncs.Count;
        }
    }

    [Fact]
    public async Task LiveNotes_TwoDevices_SeeEachOthersEditsOverTheSocket_WithoutAnyRestNoteSync()
    {
        var (a, restA, _) = await OpenLiveDeviceAsync("a", TimeSpan.FromMinutes(10), signup: true);
        var (b, restB, _) = await OpenLiveDeviceAsync("b", TimeSpan.FromMinutes(10));
        a.Start();
        b.Start();
        var noteA = await a.Documents.OpenAsync(LiveNote);
        var noteB = await b.Documents.OpenAsync(LiveNote);
        await Wait.UntilAsync(() => noteA.Connection == DocumentConnection.Live && noteB.Connection == DocumentConnection.Live, "both notes are live");
        await IdleAsync(a, b);
        var restBefore = DocumentSyncCount(restA) + DocumentSyncCount(restB);

        Edit(noteA, "b-from-a", "typed on a");
        await Wait.UntilAsync(() => Has(noteB, "b-from-a"), "b sees a's edit");
        Edit(noteB, "b-from-b", "typed on b");
        await Wait.UntilAsync(() => Has(noteA, "b-from-b"), "a sees b's edit");
        for (var i = 0; i < 20; i++)
        {
            lock (noteA.SyncRoot)
            {
                BlockText(noteA, "b-from-b").Insert(0, $"a{i} ");
            }

            lock (noteB.SyncRoot)
            {
                BlockText(noteB, "b-from-a").Insert(0, $"b{i} ");
            }
        }

        await Wait.UntilAsync(() => Content(noteA) == Content(noteB), "the two copies converge");
        Assert.Contains("a19 ", Content(noteB), StringComparison.Ordinal);
        Assert.Contains("b19 ", Content(noteA), StringComparison.Ordinal);
        Assert.Equal(restBefore, DocumentSyncCount(restA) + DocumentSyncCount(restB));

        // What the socket brought is in b's local log: reopened from its file, the body has a's edits.
        var expected = Content(noteB);
        await CloseAsync(b);
        var reopened = await OpenDeviceAsync("b");
        Assert.Equal(expected, BlockEditor.Content(await reopened.Documents.GetStateAsync(LiveNote)));

        // The server stored every edit (its answer to a REST read holds them all).
        Assert.Equal(expected, (await ServerNoteAsync(LiveNote, a.AccessToken!)).Content);
    }

    [Fact]
    public async Task LiveNotes_Awareness_OfOneDevice_IsSeenByTheOther_AndRemovedWhenItsNoteCloses()
    {
        var (a, _, _) = await OpenLiveDeviceAsync("a", TimeSpan.FromMinutes(10), signup: true);
        var (b, _, _) = await OpenLiveDeviceAsync("b", TimeSpan.FromMinutes(10));
        a.Start();
        b.Start();
        var noteA = await a.Documents.OpenAsync(LiveNote);
        var noteB = await b.Documents.OpenAsync(LiveNote);
        await Wait.UntilAsync(() => noteA.Connection == DocumentConnection.Live && noteB.Connection == DocumentConnection.Live, "both notes are live");
        Edit(noteA, "b-text", "hello world");
        await Wait.UntilAsync(() => Has(noteB, "b-text"), "b has the block");

        var changes = new List<AwarenessChangedEventArgs>();
        noteB.Awareness.Changed += (_, e) =>
        {
            lock (changes)
            {
                changes.Add(e);
            }
        };
        YRelativePosition anchor, head;
        lock (noteA.SyncRoot)
        {
            anchor = YRelativePosition.FromTypeIndex(BlockText(noteA, "b-text"), 2);
            head = YRelativePosition.FromTypeIndex(BlockText(noteA, "b-text"), 5);
        }

        noteA.Awareness.SetLocalStateField("user", new JsonObject { ["name"] = "Sarah on a" });
        noteA.Awareness.SetCursor(anchor, head);
        var clientA = noteA.Awareness.ClientId;
        await Wait.UntilAsync(() => NoteAwareness.ReadCursor(noteB.Awareness.GetState(clientA)) is not null, "b sees a's cursor");
        var state = noteB.Awareness.GetState(clientA)!;
        Assert.Equal("Sarah on a", state["user"]!["name"]!.GetValue<string>());
        var (seenAnchor, seenHead) = NoteAwareness.ReadCursor(state)!.Value;
        lock (noteB.SyncRoot)
        {
            Assert.Equal(2, seenAnchor.ToAbsolute(noteB.Doc)!.Index);
            Assert.Equal(5, seenHead.ToAbsolute(noteB.Doc)!.Index);
        }

        lock (changes)
        {
            Assert.Contains(changes, e => e.Added.Contains(clientA) && !e.IsLocal);
        }

        noteA.Dispose();
        await Wait.UntilAsync(() => noteB.Awareness.GetState(clientA) is null, "a's state is removed when its note closes");
        lock (changes)
        {
            Assert.Contains(changes, e => e.Removed.Contains(clientA));
        }
    }

    [Fact]
    public async Task LiveNotes_SocketKilled_EditsConvergeByRest_AndAReconnectResumesLive()
    {
        var (a, restA, socketsA) = await OpenLiveDeviceAsync("a", TimeSpan.FromMilliseconds(100), signup: true);
        var (b, _, _) = await OpenLiveDeviceAsync("b", TimeSpan.FromMilliseconds(100));
        a.Start();
        b.Start();
        var noteA = await a.Documents.OpenAsync(LiveNote);
        var noteB = await b.Documents.OpenAsync(LiveNote);
        await Wait.UntilAsync(() => noteA.Connection == DocumentConnection.Live && noteB.Connection == DocumentConnection.Live, "both notes are live");

        // The socket dies and cannot come back: a's edit goes by REST, and b (live) gets it from the server.
        socketsA.Down = true;
        socketsA.KillAll();
        await Wait.UntilAsync(() => noteA.Connection != DocumentConnection.Live, "a is off the socket");
        var restBefore = DocumentSyncCount(restA);
        Edit(noteA, "b-rest", "sent by rest");
        await Wait.UntilAsync(() => Has(noteB, "b-rest"), "b sees a's edit sent by REST");
        Assert.True(DocumentSyncCount(restA) > restBefore);
        await Wait.UntilAsync(() => a.State.UnsyncedDocuments == 0, "a's edit is acknowledged");

        // Offline on both paths: the edit stays in a's log; the reconnect's handshake delivers it.
        restA.OnDocumentSync = (_, _, _) => throw FaultyTransport.Lost();
        Edit(noteA, "b-offline", "made with no network");
        Edit(noteB, "b-meanwhile", "made on b meanwhile");
        await Task.Delay(300);
        Assert.Equal(1, a.State.UnsyncedDocuments);
        Assert.False(Has(noteB, "b-offline"));
        socketsA.Down = false;
        await Wait.UntilAsync(() => noteA.Connection == DocumentConnection.Live, "a's socket is back");
        await Wait.UntilAsync(() => Has(noteB, "b-offline") && Has(noteA, "b-meanwhile"), "the offline edits crossed on reconnect");

        // Live again: b's typing reaches a over the socket.
        Edit(noteB, "b-live-again", "live again");
        await Wait.UntilAsync(() => Has(noteA, "b-live-again"), "a sees b over the socket again");

        // REST back: a's socket-carried edits get confirmed, and nothing is left unsynced or doubled.
        restA.OnDocumentSync = null;
        await Wait.UntilAsync(() => a.State.UnsyncedDocuments == 0, "a's edits are acknowledged");
        await Wait.UntilAsync(() => Content(noteA) == Content(noteB), "the copies converge");
        Assert.Equal(Content(noteA), (await ServerNoteAsync(LiveNote, a.AccessToken!)).Content);
        lock (noteA.SyncRoot)
        {
            Assert.Equal(["b-live-again", "b-meanwhile", "b-offline", "b-rest"], noteA.Doc.GetMap("blocks").Keys.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task LiveNotes_TokenRefusedWith4401_IsRefreshedLikeRest_AndTheSocketGoesLive()
    {
        var (a, _, socketsA) = await OpenLiveDeviceAsync("a", TimeSpan.FromMinutes(10), signup: true);
        a.AccessToken = "not-a-token";
        var noteA = await a.Documents.OpenAsync(LiveNote);
        a.Start();
        await Wait.UntilAsync(() => noteA.Connection == DocumentConnection.Live, "the note is live with a refreshed token");
        lock (socketsA.CloseCodes)
        {
            Assert.Contains(4401, socketsA.CloseCodes.Select(c => c ?? 0));
        }

        lock (socketsA.Tokens)
        {
            // The REST path may refresh at the same time: the live socket uses a refreshed token, whichever came last.
            Assert.Equal("not-a-token", socketsA.Tokens[0]);
            Assert.NotEqual("not-a-token", socketsA.Tokens[^1]);
        }

        Assert.NotEqual("not-a-token", a.AccessToken);
    }
}
