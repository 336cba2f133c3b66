using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace FrameLord.Sync.Client.Transport;

/// <summary>
/// The wire contract over HTTP (DESIGN 3): JSON with <see cref="SyncJsonContext"/>, large request bodies
/// gzip-compressed, compressed responses accepted, errors turned into <see cref="SyncTransportException"/>.
/// The only resilience strategy on the client is a per-attempt timeout: retries belong to the outbox,
/// whose deterministic backoff runs on the injected clock, and must not be doubled here.
/// </summary>
public sealed class HttpSyncTransport : ISyncTransport, ILiveChangeSource, IMeteredTransport, IDisposable
{
    private const string Api = "api/v1/";
    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly int _gzipThreshold;

    /// <summary>Uses <paramref name="http"/> as given (its BaseAddress must be the server's root); the caller disposes it.</summary>
    public HttpSyncTransport(HttpClient http, int gzipThresholdBytes = 1024)
    {
        _http = http;
        _gzipThreshold = gzipThresholdBytes;
    }

    /// <summary>Builds its own client: automatic response decompression and the per-attempt timeout on <paramref name="time"/>.</summary>
    public HttpSyncTransport(HttpSyncTransportOptions options, TimeProvider? time = null)
        : this(CreateHttpClient(options, time ?? TimeProvider.System), options.GzipThresholdBytes)
    {
        _ownsClient = true;
    }

    /// <summary>An <see cref="HttpClient"/> for the server: decompression, connection pooling, and the per-attempt timeout.</summary>
    public static HttpClient CreateHttpClient(HttpSyncTransportOptions options, TimeProvider time)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddTimeout(options.AttemptTimeout)
            .Build();
        var handler = new ResilienceHandler(pipeline)
        {
            InnerHandler = new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Brotli,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            },
        };
        var root = options.ServerUri.AbsoluteUri.EndsWith('/') ? options.ServerUri : new Uri(options.ServerUri.AbsoluteUri + "/");
        return new HttpClient(handler) { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public event EventHandler<TransferEventArgs>? Transferred;

    public Task<AuthResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "auth/signup", null, request, SyncJsonContext.Default.SignupRequest, SyncJsonContext.Default.AuthResponse, cancellationToken);

    public Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "auth/login", null, request, SyncJsonContext.Default.LoginRequest, SyncJsonContext.Default.AuthResponse, cancellationToken);

    public Task<AuthResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "auth/refresh", null, request, SyncJsonContext.Default.RefreshRequest, SyncJsonContext.Default.AuthResponse, cancellationToken);

    public Task<PushResponse> PushAsync(PushRequest request, string accessToken, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "sync/push", accessToken, request, SyncJsonContext.Default.PushRequest, SyncJsonContext.Default.PushResponse, cancellationToken);

    public Task<PullResponse> PullAsync(PullRequest request, string accessToken, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "sync/pull", accessToken, request, SyncJsonContext.Default.PullRequest, SyncJsonContext.Default.PullResponse, cancellationToken);

    public Task<ConflictList> ListConflictsAsync(string? status, string? cursor, string accessToken, CancellationToken cancellationToken) =>
        SendAsync<object, ConflictList>(HttpMethod.Get, ConflictsPath(status, cursor),
            accessToken, null, null, SyncJsonContext.Default.ConflictList, cancellationToken);

    private static string ConflictsPath(string? status, string? cursor)
    {
        var query = new List<string>(2);
        if (status is not null)
        {
            query.Add("status=" + Uri.EscapeDataString(status));
        }

        if (cursor is not null)
        {
            query.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        return query.Count == 0 ? "sync/conflicts" : "sync/conflicts?" + string.Join('&', query);
    }

    public Task<ResolveConflictResponse> ResolveConflictAsync(
        string conflictId, ResolveConflictRequest request, string accessToken, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"sync/conflicts/{Uri.EscapeDataString(conflictId)}/resolve", accessToken, request,
            SyncJsonContext.Default.ResolveConflictRequest, SyncJsonContext.Default.ResolveConflictResponse, cancellationToken);

    /// <summary>Posts to <c>notes/{note_id}/sync</c> (the id URL-escaped); a body over the gzip threshold (a large document) goes compressed.</summary>
    public Task<DocumentSyncResponse> SyncDocumentAsync(string noteId, DocumentSyncRequest request, string accessToken, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"notes/{Uri.EscapeDataString(noteId)}/sync", accessToken, request,
            SyncJsonContext.Default.DocumentSyncRequest, SyncJsonContext.Default.DocumentSyncResponse, cancellationToken);

    public async Task ListenAsync(string accessToken, Action<string, string> onEvent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Api + "sync/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.ParseAdd("text/event-stream");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (IsNetworkFailure(e, cancellationToken))
        {
            throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, $"The event stream could not be opened: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, await response.Content.ReadAsByteArrayAsync(cancellationToken));
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            string? name = null;
            var data = new System.Text.StringBuilder();
            try
            {
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (name is not null)
                        {
                            onEvent(name, data.ToString());
                        }

                        (name, data) = (null, data.Clear());
                    }
                    else if (line.StartsWith("event:", StringComparison.Ordinal))
                    {
                        name = line[6..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(line.AsSpan(5).Trim());
                    }
                }
            }
            catch (Exception e) when (IsNetworkFailure(e, cancellationToken))
            {
                throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, $"The event stream broke: {e.Message}", e);
            }
        }
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method, string path, string? accessToken, TRequest? body, JsonTypeInfo<TRequest>? requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Api + path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        long sent = 0;
        if (body is not null && requestType is not null)
        {
            var content = Content(JsonSerializer.SerializeToUtf8Bytes(body, requestType));
            sent = content.Headers.ContentLength ?? 0;
            request.Content = content;
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception e) when (IsNetworkFailure(e, cancellationToken))
        {
            throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, $"The server could not be reached: {e.Message}", e);
        }

        using (response)
        {
            byte[] bytes;
            try
            {
                bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (Exception e) when (IsNetworkFailure(e, cancellationToken))
            {
                throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, $"The answer was cut off: {e.Message}", e);
            }

            Transferred?.Invoke(this, new TransferEventArgs(sent, bytes.Length));

            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, bytes);
            }

            try
            {
                return JsonSerializer.Deserialize(bytes, responseType)
                    ?? throw new SyncTransportException((int)response.StatusCode, SyncTransportException.InvalidResponseCode, "The server answered null.");
            }
            catch (JsonException e)
            {
                throw new SyncTransportException((int)response.StatusCode, SyncTransportException.InvalidResponseCode, $"The server's answer could not be read: {e.Message}", e);
            }
        }
    }

    private ByteArrayContent Content(byte[] json)
    {
        ByteArrayContent? content = null;
        if (json.Length >= _gzipThreshold)
        {
            using var buffer = new MemoryStream(json.Length / 4);
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(json);
            }

            if (buffer.Length < json.Length)
            {
                content = new ByteArrayContent(buffer.ToArray());
                content.Headers.ContentEncoding.Add("gzip");
            }
        }

        content ??= new ByteArrayContent(json);

        content.Headers.ContentType = s_json;
        return content;
    }

    private static bool IsNetworkFailure(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException or TimeoutException or Polly.Timeout.TimeoutRejectedException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static SyncTransportException Failure(HttpResponseMessage response, byte[] bytes)
    {
        var status = (int)response.StatusCode;
        ErrorBody? error = null;
        try
        {
            error = JsonSerializer.Deserialize(bytes, SyncJsonContext.Default.ErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            // Not the contract's shape (a proxy's page, say): the status alone speaks.
        }

        var code = error?.Code ?? "HTTP_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var message = error?.Message ?? $"The server answered {status} {response.ReasonPhrase}.";
        var retryAfter = response.Headers.RetryAfter?.Delta
            ?? (error?.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        if (status == 426 || code == ErrorCodes.SchemaMismatch)
        {
            return new SchemaMismatchException(message, error?.RequiredVersion) { RetryAfter = retryAfter };
        }

        return new SyncTransportException(status, code, message) { RetryAfter = retryAfter, RequiredVersion = error?.RequiredVersion };
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }
}
