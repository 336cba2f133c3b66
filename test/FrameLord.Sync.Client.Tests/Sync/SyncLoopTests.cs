using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>The loop's timing on a fake clock: start-up sync, 2 s debounce, 30 s pulls, backoff, 401 refresh.</summary>
public sealed class SyncLoopTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _transport = new();
    private SyncClient _client = null!;
    private int _refreshes;

    public async ValueTask InitializeAsync()
    {
        _client = await LocalDevice.OpenAsync(_folder.File("d.db"), _transport, _time, refresh: _ =>
        {
            _refreshes++;
            return Task.FromResult("token-" + (_refreshes + 1));
        });
        await _client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "token-1", ExpiresIn = 60 });
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Loop_PullsAtStartUp_PushesTwoSecondsAfterTheLastWrite_AndPullsEveryThirtySeconds()
    {
        _client.Start();
        await Wait.UntilAsync(() => _transport.Pulls.Count == 1 && _client.State.Status == SyncStatus.Synced, "the start-up pull");

        await _client.Contacts.CreateAsync(new Contact { Name = "A" });
        _time.Advance(TimeSpan.FromSeconds(1));
        await _client.Contacts.CreateAsync(new Contact { Name = "B" });
        _time.Advance(TimeSpan.FromSeconds(1.9));
        await Wait.SettleAsync();
        Assert.Empty(_transport.Pushes);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        await Wait.UntilAsync(() => _transport.Pushes.Count == 1 && _transport.Pulls.Count == 3 && _client.LoopWaitingUntil is not null,
            "the debounced push: pull, push, pull");
        Assert.Equal(2, _transport.Pushes[0].Changes.Count);
        Assert.Equal(0, _client.State.PendingChanges);
        var pullsAfterPush = _transport.Pulls.Count;

        _time.Advance(TimeSpan.FromSeconds(29));
        await Wait.SettleAsync();
        Assert.Equal(pullsAfterPush, _transport.Pulls.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => _transport.Pulls.Count == pullsAfterPush + 1, "the 30 s pull");
        Assert.Single(_transport.Pushes);
    }

    [Fact]
    public async Task Stopping_WhileTheLiveStreamIsCutByTheServer_IsNotAnError_AndAChangesEventSyncs()
    {
        var live = new LiveScriptedTransport(_transport);
        Action<string, string>? send = null;
        live.OnListen = async (onEvent, cancellationToken) =>
        {
            send = onEvent;
            // As a real stream does when the server closes it under the client's feet while it stops:
            // the read fails with an I/O error, not a cancellation.
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, "The event stream broke: Connection reset by peer.",
                new IOException("Connection reset by peer"));
        };
        using var folder = new TempFolder();
        await using var client = await LocalDevice.OpenAsync(folder.File("live.db"), live, _time);
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "token-1", ExpiresIn = 60 });
        client.Start();
        await Wait.UntilAsync(() => live.Listens == 1 && send is not null && _transport.Pulls.Count == 1, "the stream opened and the start-up pull");

        send!("changes", "{\"cursor\":\"5\"}");
        await Wait.UntilAsync(() => _transport.Pulls.Count >= 2, "a pull on the changes event");

        await client.StopAsync(); // throws if the cut stream escapes the stop
        Assert.False(client.IsRunning);
        Assert.Equal(1, live.Listens);
    }

    [Fact]
    public async Task ASchemaMismatch_StopsTheLoop_AndClosesTheLiveStream()
    {
        var live = new LiveScriptedTransport(_transport);
        var closed = new TaskCompletionSource();
        live.OnListen = async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => closed.TrySetResult(), TaskScheduler.Default);
        };
        _transport.OnPull = (_, _) => throw new SchemaMismatchException("Please update FrameLord to the latest version", "2.0.0");
        using var folder = new TempFolder();
        await using var client = await LocalDevice.OpenAsync(folder.File("mismatch.db"), live, _time);
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "token-1", ExpiresIn = 60 });
        client.Start();

        await Wait.UntilAsync(() => !client.IsRunning, "the loop stopped on the mismatch");
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, live.Listens);
        Assert.IsType<SchemaMismatchException>(client.State.LastError);
    }

    [Fact]
    public async Task Loop_RetriesWithBackoff_2_4_8_16_32_ThenAbout32WithJitter()
    {
        var attempts = new List<DateTimeOffset>();
        _transport.OnPull = (_, _) =>
        {
            attempts.Add(_time.GetUtcNow());
            throw new SyncTransportException(503, ErrorCodes.Unavailable, "down");
        };
        _client.Start();
        await Wait.UntilAsync(() => attempts.Count == 1 && _client.LoopWaitingUntil is not null, "the first attempt");
        var expected = new[] { 2, 4, 8, 16, 32 };
        foreach (var seconds in expected)
        {
            var count = attempts.Count;
            _time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            await Wait.SettleAsync();
            Assert.Equal(count, attempts.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Wait.UntilAsync(() => attempts.Count == count + 1 && _client.LoopWaitingUntil is not null, $"the retry after {seconds} s");
        }

        for (var i = 0; i < 3; i++)
        {
            var count = attempts.Count;
            // 32 s ± 20%: nothing before 25.6 s, an attempt by 38.4 s (the spread itself: BackoffTests).
            _time.Advance(TimeSpan.FromSeconds(25.5));
            await Wait.SettleAsync();
            Assert.Equal(count, attempts.Count);
            _time.Advance(TimeSpan.FromSeconds(12.9));
            await Wait.UntilAsync(() => attempts.Count == count + 1 && _client.LoopWaitingUntil is not null, "a jittered 32 s retry");
        }

        Assert.Equal(SyncStatus.Error, _client.State.Status);
        _transport.OnPull = null;
        _time.Advance(TimeSpan.FromSeconds(40));
        await Wait.UntilAsync(() => _client.State.Status == SyncStatus.Synced, "recovery");
    }

    [Fact]
    public async Task NetworkErrors_ShowOffline_AndRetryAfterIsHonoured()
    {
        await _client.Contacts.CreateAsync(new Contact { Name = "A" });
        var calls = new List<DateTimeOffset>();
        _transport.OnPull = (_, _) =>
        {
            calls.Add(_time.GetUtcNow());
            throw calls.Count == 1
                ? new SyncTransportException(null, SyncTransportException.NetworkErrorCode, "refused")
                : new SyncTransportException(429, ErrorCodes.RateLimited, "slow down") { RetryAfter = TimeSpan.FromSeconds(20) };
        };
        _client.Start();
        await Wait.UntilAsync(() => _client.State.Status == SyncStatus.Offline && _client.LoopWaitingUntil is not null, "offline");
        Assert.Equal(1, _client.State.PendingChanges);
        _time.Advance(TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(() => calls.Count == 2 && _client.LoopWaitingUntil is not null, "the second attempt");
        Assert.Equal(SyncStatus.Error, _client.State.Status);
        _transport.OnPull = null;
        _time.Advance(TimeSpan.FromSeconds(19));
        await Wait.SettleAsync();
        Assert.Empty(_transport.Pushes);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => _transport.Pushes.Count == 1 && _client.State.Status == SyncStatus.Synced, "the push after Retry-After");
    }

    [Fact]
    public async Task Unauthorized_RefreshesTheToken_AndSendsTheSameBatchAgain()
    {
        await _client.Contacts.CreateAsync(new Contact { Name = "A" });
        await _client.Contacts.CreateAsync(new Contact { Name = "B" });
        _transport.OnPush = (request, token) => token == "token-1"
            ? throw new SyncTransportException(401, ErrorCodes.Unauthorized, "expired")
            : _transport.AcceptAll(request);
        var result = await _client.SyncNowAsync();
        Assert.Equal(2, result.Pushed);
        Assert.Equal(1, _refreshes);
        Assert.Equal(["token-1", "token-2"], _transport.PushTokens);
        Assert.Equal(_transport.Pushes[0].Changes.Select(c => c.ChangeId), _transport.Pushes[1].Changes.Select(c => c.ChangeId));
        Assert.Equal("token-2", _client.AccessToken);
    }

    [Fact]
    public async Task StaleWarning_IsRaisedAfterSevenDaysWithoutASuccessfulSync()
    {
        var warnings = 0;
        _client.StaleWarning += (_, e) => { warnings++; Assert.True(e.State.IsStale); };
        await _client.SyncNowAsync();
        _transport.OnPull = (_, _) => throw new SyncTransportException(null, SyncTransportException.NetworkErrorCode, "offline");
        _time.Advance(TimeSpan.FromDays(6));
        await Assert.ThrowsAsync<SyncTransportException>(() => _client.SyncNowAsync());
        Assert.Equal(0, warnings);
        _time.Advance(TimeSpan.FromDays(1.1));
        await Assert.ThrowsAsync<SyncTransportException>(() => _client.SyncNowAsync());
        Assert.Equal(1, warnings);
        Assert.True(_client.State.IsStale);
        await Assert.ThrowsAsync<SyncTransportException>(() => _client.SyncNowAsync());
        Assert.Equal(1, warnings);
        _transport.OnPull = null;
        await _client.SyncNowAsync();
        Assert.False(_client.State.IsStale);
    }

    [Fact]
    public async Task OnePoisonedChange_LeavesTheOutboxAndIsReported_TheRestGoThrough()
    {
        var rejected = new List<RejectedChange>();
        _client.ChangeRejected += (_, e) => rejected.Add(e.Change);
        var bad = await _client.Contacts.CreateAsync(new Contact { Name = "bad" });
        await _client.Contacts.CreateAsync(new Contact { Name = "good" });
        _transport.OnPush = (request, _) =>
        {
            var all = _transport.AcceptAll(request);
            return all with
            {
                Successful = all.Successful.Where(s => s.EntityId != bad.Id).ToArray(),
                Failed = [new ChangeFailed { ChangeId = request.Changes.Single(c => c.EntityId == bad.Id).ChangeId, EntityType = "contact", EntityId = bad.Id, Error = new ErrorBody { Code = ErrorCodes.EntityTooLarge, Message = "too big" } }],
            };
        };
        var result = await _client.SyncNowAsync();
        Assert.Equal(1, result.Pushed);
        Assert.Equal(1, result.Rejected);
        Assert.Equal(bad.Id, Assert.Single(rejected).EntityId);
        Assert.Equal(ErrorCodes.EntityTooLarge, (await _client.GetRejectedChangesAsync()).Single().Code);
        Assert.Equal(0, _client.State.PendingChanges);
        Assert.Equal(SyncStatus.Synced, _client.State.Status);
    }
}
