using System.Text.Json;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// A transport without a server, for tests of the client's own logic: pushes succeed (or do what
/// <see cref="OnPush"/> says), pulls return nothing, and every call is recorded. It meters each exchange
/// as the JSON bytes of its request and answer.
/// </summary>
public sealed class ScriptedTransport : ISyncTransport, IMeteredTransport
{
    public event EventHandler<TransferEventArgs>? Transferred;

    /// <summary>Every metered exchange: (bytes sent, bytes received).</summary>
    public List<(long Sent, long Received)> Transfers { get; } = [];

    private T Meter<TRequest, T>(TRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType, T response,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> responseType)
    {
        var sent = JsonSerializer.SerializeToUtf8Bytes(request, requestType).Length;
        var received = JsonSerializer.SerializeToUtf8Bytes(response, responseType).Length;
        Transfers.Add((sent, received));
        Transferred?.Invoke(this, new TransferEventArgs(sent, received));
        return response;
    }

    private long _version;

    public List<PushRequest> Pushes { get; } = [];

    public List<(PullRequest Request, string Token)> Pulls { get; } = [];

    public List<string> PushTokens { get; } = [];

    /// <summary>Decides a push's answer; default: every change succeeds with increasing versions.</summary>
    public Func<PushRequest, string, PushResponse>? OnPush { get; set; }

    public Func<PullRequest, string, PullResponse>? OnPull { get; set; }

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "token-1", ExpiresIn = 3600 });

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) => SignupAsync(new SignupRequest { Email = request.Email, Password = request.Password }, cancellationToken);

    public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken)
    {
        Pushes.Add(request);
        PushTokens.Add(accessToken);
        return Task.FromResult(Meter(request, SyncJsonContext.Default.PushRequest,
            OnPush is not null ? OnPush(request, accessToken) : AcceptAll(request), SyncJsonContext.Default.PushResponse));
    }

    public PushResponse AcceptAll(PushRequest request) => new()
    {
        Successful = request.Changes.Select(c => new ChangeSucceeded
        {
            ChangeId = c.ChangeId,
            EntityType = c.EntityType,
            EntityId = c.EntityId,
            SyncVersion = Math.Max(++_version, c.SyncVersion),
        }).ToArray(),
        Failed = [],
        Conflicts = [],
    };

    public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken)
    {
        Pulls.Add((request, accessToken));
        return Task.FromResult(Meter(request, SyncJsonContext.Default.PullRequest, OnPull is not null
            ? OnPull(request, accessToken)
            : new PullResponse { Changes = [], Cursor = request.Cursor ?? "AQAAAAAAAAAA", HasMore = false, SyncTimestamp = DateTimeOffset.UnixEpoch },
            SyncJsonContext.Default.PullResponse));
    }

    /// <summary>Decides a conflicts listing page (status, cursor); default: none.</summary>
    public Func<string?, string?, ConflictList>? OnListConflicts { get; set; }

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        Task.FromResult(OnListConflicts?.Invoke(status, cursor) ?? new ConflictList { Conflicts = [] });

    public Task<ResolveConflictResponse> ResolveConflictAsync(string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        throw new SyncTransportException(404, ErrorCodes.NotFound, "No such conflict.");

    public List<(string NoteId, DocumentSyncRequest Request)> DocumentSyncs { get; } = [];

    /// <summary>Decides a document sync's answer; default: the server has nothing (an empty update, an empty state vector).</summary>
    public Func<string, DocumentSyncRequest, DocumentSyncResponse>? OnDocumentSync { get; set; }

    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken)
    {
        DocumentSyncs.Add((noteId, request));
        return Task.FromResult(Meter(request, SyncJsonContext.Default.DocumentSyncRequest, OnDocumentSync is not null
            ? OnDocumentSync(noteId, request)
            : new DocumentSyncResponse { Updates = [0, 0], NewStateVector = [0], SyncVersion = 0 }, SyncJsonContext.Default.DocumentSyncResponse));
    }

    /// <summary>Pulls serve <paramref name="total"/> contacts made on another device, <paramref name="pageSize"/> a page, with <c>remaining</c>.</summary>
    public void ServeContacts(int total, int pageSize) => OnPull = (request, _) =>
    {
        var from = request.Cursor is null ? 0 : int.Parse(request.Cursor, System.Globalization.CultureInfo.InvariantCulture);
        var to = Math.Min(total, from + pageSize);
        return new PullResponse
        {
            Changes = Enumerable.Range(from, to - from).Select(i => new PulledChange
            {
                EntityType = EntityTypes.Contact,
                EntityId = $"cnt_{i}",
                Operation = Operations.Update,
                Data = JsonDocument.Parse($$"""{"id":"cnt_{{i}}","name":"C{{i}}","sync_version":1,"is_archived":false}""").RootElement,
                SyncVersion = 1,
                UpdatedAt = LocalDevice.Start,
                IsArchived = false,
                ModifiedByDevice = "dev_other",
            }).ToArray(),
            Cursor = to.ToString(System.Globalization.CultureInfo.InvariantCulture),
            HasMore = to < total,
            Remaining = total - to,
            SyncTimestamp = LocalDevice.Start,
        };
    };
}
