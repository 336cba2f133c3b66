using FrameLord.Sync.Client;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// One device's transport in the simulation: the contract's calls go straight to the server engine
/// through the simulated network, with the same errors the HTTP transport would raise. The access
/// token is the user id behind a prefix; accounts are bound by the simulator, not by signup.
/// </summary>
internal sealed class InMemoryTransport(Func<SimServer> server, SimNetwork network, Ledger ledger, int device, Sabotage? sabotage = null) : ISyncTransport
{
    public const string TokenPrefix = "sim:";

    private static string UserOf(string accessToken) =>
        accessToken.StartsWith(TokenPrefix, StringComparison.Ordinal)
            ? accessToken[TokenPrefix.Length..]
            : throw new SyncTransportException(401, ErrorCodes.Unauthorized, "A valid access token is required.");

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The simulation binds accounts directly.");

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The simulation binds accounts directly.");

    public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken) =>
        network.SendAsync(device, "push", () => Server(async s =>
        {
            var (sent, faked) = sabotage?.Apply(request) ?? (request, []);
            var response = await s.Sync.PushAsync(UserOf(accessToken), sent, cancellationToken);
            ledger.RecordPush(sent, response);
            return Sabotage.Acknowledge(response, faked);
        }), replayable: true);

    public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken) =>
        network.SendAsync(device, "pull", () => Server(s => s.Sync.PullAsync(UserOf(accessToken), request, cancellationToken)), replayable: false);

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        network.SendAsync(device, "conflicts", () => Server(s => s.Sync.ListConflictsAsync(UserOf(accessToken), status, null, cursor, cancellationToken)), replayable: false);

    public Task<ResolveConflictResponse> ResolveConflictAsync(
        string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        network.SendAsync(device, "resolve", () => Server(async s =>
        {
            var user = UserOf(accessToken);
            var conflict = (await ServerConflicts.AllAsync(s.Sync, user, cancellationToken))
                .FirstOrDefault(c => c.ConflictId == conflictId);
            var response = await s.Sync.ResolveConflictAsync(user, conflictId, request, cancellationToken);
            ledger.RecordResolution(request.DeviceId, conflictId, conflict!, request, response);
            return response;
        }), replayable: false);

    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken) =>
        network.SendAsync(device, "doc", () => Server(s => s.Documents.SyncAsync(UserOf(accessToken), noteId, request, cancellationToken)), replayable: true);

    private async Task<T> Server<T>(Func<SimServer, Task<T>> call)
    {
        try
        {
            return await call(server());
        }
        catch (ApiException e)
        {
            throw new SyncTransportException(e.Status, e.Code, e.Message)
            {
                RequiredVersion = e.RequiredVersion,
                RetryAfter = e.RetryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
            };
        }
        catch (StoreException e)
        {
            throw new SyncTransportException(503, ErrorCodes.Unavailable, e.Message, e);
        }
    }
}
