using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Parts;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Parts;

public sealed class AccessTokensTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A server of one device session: each refresh token is good once; the access token of the newest answer is the only good one.</summary>
    private sealed class RefreshingServer : ISyncTransport
    {
        private readonly Lock _gate = new();
        private int _generation;

        public int Refreshes { get; private set; }

        public int ReusedTokens { get; private set; }

        public string ValidAccess => "access-" + _generation;

        public string ValidRefresh => "refresh-" + _generation;

        public async Task<AuthResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken)
        {
            await Task.Delay(50, cancellationToken); // long enough for the other callers to pile up
            lock (_gate)
            {
                Refreshes++;
                if (request.RefreshToken != ValidRefresh)
                {
                    ReusedTokens++;
                    throw new SyncTransportException(401, ErrorCodes.Unauthorized, "spent");
                }

                _generation++;
                return new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_0", AccessToken = ValidAccess, ExpiresIn = 3600, RefreshToken = ValidRefresh };
            }
        }

        public Task<string> CallAsync(string token) => token == ValidAccess
            ? Task.FromResult("ok")
            : Task.FromException<string>(new SyncTransportException(401, ErrorCodes.Unauthorized, "expired"));

        public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    [Fact]
    public async Task ConcurrentUnauthorizedCalls_ShareOneRefresh_AndAllSucceed()
    {
        await using var db = LocalDatabase.Open(_folder.File("tokens.db"), durableAgainstPowerLoss: false);
        var server = new RefreshingServer();
        var appCalls = 0;
        var tokens = new AccessTokens(_ => Task.FromResult("app-" + Interlocked.Increment(ref appCalls)), server, db);
        tokens.Use("access-stale", server.ValidRefresh);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            tokens.AuthorizedAsync(server.CallAsync, CancellationToken.None))));

        Assert.All(results, r => Assert.Equal("ok", r));
        Assert.Equal(1, server.Refreshes);
        Assert.Equal(0, server.ReusedTokens);
        Assert.Equal(0, appCalls);
        Assert.Equal(server.ValidAccess, tokens.Current);
        Assert.Equal(server.ValidRefresh, await db.WriteAsync(w => w.GetMeta(MetaKeys.RefreshToken), CancellationToken.None));

        // A later expiry renews again, from the token the first renewal stored.
        tokens.Current = "access-stale-again";
        Assert.Equal("ok", await tokens.AuthorizedAsync(server.CallAsync, CancellationToken.None));
        Assert.Equal(2, server.Refreshes);
        Assert.Equal(0, server.ReusedTokens);
    }

    [Fact]
    public async Task ARefusedRefreshToken_AsksTheAppOnce_AndIsNotPresentedAgain()
    {
        await using var db = LocalDatabase.Open(_folder.File("refused.db"), durableAgainstPowerLoss: false);
        var server = new RefreshingServer();
        var appCalls = 0;
        var tokens = new AccessTokens(_ => Task.FromResult("app-" + Interlocked.Increment(ref appCalls)), server, db);
        tokens.Use("access-stale", "refresh-revoked");

        var renewed = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => tokens.RefreshAsync(null, CancellationToken.None, refused: "access-stale")));
        Assert.All(renewed, t => Assert.Equal("app-1", t));
        Assert.Equal(1, server.Refreshes);
        Assert.Equal(1, appCalls);
        Assert.Null(await db.WriteAsync(w => w.GetMeta(MetaKeys.RefreshToken), CancellationToken.None));

        Assert.Equal("app-2", await tokens.RefreshAsync(null, CancellationToken.None, refused: "app-1"));
        Assert.Equal(1, server.Refreshes);
    }

    [Fact]
    public async Task WithoutRefreshTokenOrCallback_TheUnauthorizedAnswerIsThrown()
    {
        await using var db = LocalDatabase.Open(_folder.File("none.db"), durableAgainstPowerLoss: false);
        var server = new RefreshingServer();
        var tokens = new AccessTokens(null, server, db) { Current = "access-stale" };
        var error = await Assert.ThrowsAsync<SyncTransportException>(() => tokens.AuthorizedAsync(server.CallAsync, CancellationToken.None));
        Assert.True(error.IsUnauthorized);
        Assert.Equal("expired", error.Message);
        Assert.Equal(0, server.Refreshes);
    }
}
