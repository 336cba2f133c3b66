using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    private static byte[] Typing(ulong client, int characters)
    {
        var doc = new YDoc(new YDocOptions { ClientId = client });
        doc.GetText("t").Insert(0, new string('x', characters));
        return doc.EncodeStateAsUpdate();
    }

    [Fact]
    public async Task DocumentLimit_AnUpdateThatWouldPassIt_Is413_StoresNothing_AndReadsStillWork()
    {
        var user = await NewUserAsync();
        var documents = new DocumentService(Store, new SyncOptions { DocumentCompactionUpdates = 1000 },
            new LimitOptions { MaxDocumentBytes = 25_000 }, Time);

        var first = await documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = Typing(1, 10_000) }, CancellationToken.None);
        var second = await documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = Typing(2, 10_000) }, CancellationToken.None);
        Assert.Equal(2, second.SyncVersion);
        var stored = await Store.ReadDocumentSizeAsync(user.UserId, "n", CancellationToken.None);
        Assert.InRange(stored, 20_000, 20_100);

        var refused = await Assert.ThrowsAsync<ApiException>(() =>
            documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = Typing(3, 10_000) }, CancellationToken.None));
        Assert.Equal(413, refused.Status);
        Assert.Equal(ErrorCodes.PayloadTooLarge, refused.Code);
        Assert.Equal(stored, await Store.ReadDocumentSizeAsync(user.UserId, "n", CancellationToken.None));

        // Reading the full note still works, and a small update that fits is still taken.
        var read = await documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest(), CancellationToken.None);
        Assert.Equal(2, read.SyncVersion);
        var small = await documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = Typing(4, 100) }, CancellationToken.None);
        Assert.Equal(3, small.SyncVersion);
        Assert.NotEqual(first.NewStateVector, small.NewStateVector);
    }

    [Fact]
    public async Task DocumentLimit_CountsTheCompactedSnapshot()
    {
        var user = await NewUserAsync();
        var documents = new DocumentService(Store, new SyncOptions { DocumentCompactionUpdates = 1000 },
            new LimitOptions { MaxDocumentBytes = 25_000 }, Time);
        await documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = Typing(1, 15_000) }, CancellationToken.None);
        Assert.True(await documents.CompactAsync(user.UserId, "n", CancellationToken.None));
        Assert.InRange(await Store.ReadDocumentSizeAsync(user.UserId, "n", CancellationToken.None), 15_000, 15_100);

        var refused = await Assert.ThrowsAsync<ApiException>(() =>
            documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = Typing(2, 12_000) }, CancellationToken.None));
        Assert.Equal(413, refused.Status);
    }

    [Fact]
    public async Task DocumentSync_WithACancelledToken_StopsAndStoresNothing()
    {
        var user = await NewUserAsync();
        var documents = Documents();
        await documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = Typing(1, 10) }, CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            documents.SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = HostileUpdates.Chain(200_000) }, cancelled.Token));
        var head = await Store.ReadDocumentHeadAsync(user.UserId, "n", CancellationToken.None);
        Assert.Equal(1, head!.SyncVersion);
    }

    [Theory]
    [InlineData("chain")]
    [InlineData("reverse-chain")]
    [InlineData("many-clients")]
    [InlineData("deep-nesting")]
    [InlineData("far-origins")]
    public async Task DocumentSync_HostileShape_IsStored_AndAnsweredWhole(string shape)
    {
        // The answer to a client with no state vector holds everything: applied to an empty document it
        // gives the same state as the update itself (sections in any client order, DESIGN 3.5).
        var user = await NewUserAsync();
        var update = HostileUpdates.Create(shape, 20_000);
        var response = await Documents().SyncAsync(user.UserId, "n", new DocumentSyncRequest { YjsUpdates = update }, CancellationToken.None);
        Assert.Equal(1, response.SyncVersion);
        var direct = new YDoc(new YDocOptions { ClientId = 1 });
        direct.ApplyUpdate(update);
        var answered = new YDoc(new YDocOptions { ClientId = 1 });
        answered.ApplyUpdate(response.Updates);
        Assert.Equal(direct.GetStateVector().OrderBy(p => p.Key), answered.GetStateVector().OrderBy(p => p.Key));
    }
}
