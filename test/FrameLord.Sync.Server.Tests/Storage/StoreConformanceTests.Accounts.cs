using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    private static byte[] TokenHash(int n) => System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n));

    private RefreshTokenRecord Token(int n, DeviceSession session, TimeSpan? lifetime = null) =>
        new(TokenHash(n), session.UserId, session.DeviceId, session.SessionId, Time.GetUtcNow(), Time.GetUtcNow() + (lifetime ?? TimeSpan.FromDays(1)));

    private DeviceSession Session(UserRecord user, string device, string session) =>
        new(user.UserId, device, "name of " + device, session, Time.GetUtcNow(), Time.GetUtcNow());

    [Fact]
    public async Task RefreshTokens_Rotate_ASpentOneRevokesItsDevice_AndExpiredOnesAreRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await NewUserAsync();
        var phone = Session(user, "dev_phone", "ses_1");
        var laptop = Session(user, "dev_laptop", "ses_2");
        Assert.True(await Store.StartSessionAsync(phone, Token(1, phone), ct));
        Assert.True(await Store.StartSessionAsync(laptop, Token(2, laptop, TimeSpan.FromMinutes(1)), ct));
        Assert.False(await Store.StartSessionAsync(phone with { UserId = "usr_nobody" }, Token(3, phone with { UserId = "usr_nobody" }), ct));

        Time.Advance(TimeSpan.FromMinutes(5));
        var rotated = await Store.RotateRefreshTokenAsync(TokenHash(1), Token(10, Session(user, "", "")), Time.GetUtcNow(), ct);
        Assert.Equal(RefreshVerdict.Rotated, rotated.Verdict);
        Assert.Equal(("dev_phone", "ses_1"), (rotated.Session!.DeviceId, rotated.Session.SessionId));
        Assert.Equal(Time.GetUtcNow(), (await Store.ListDevicesAsync(user.UserId, ct)).Single(d => d.DeviceId == "dev_phone").LastSeenAt);
        Assert.Equal(RefreshVerdict.Rotated, (await Store.RotateRefreshTokenAsync(TokenHash(10), Token(11, Session(user, "", "")), Time.GetUtcNow(), ct)).Verdict);

        Assert.Equal(RefreshVerdict.Expired, (await Store.RotateRefreshTokenAsync(TokenHash(2), Token(20, Session(user, "", "")), Time.GetUtcNow(), ct)).Verdict);
        Assert.Equal(RefreshVerdict.Unknown, (await Store.RotateRefreshTokenAsync(TokenHash(99), Token(21, Session(user, "", "")), Time.GetUtcNow(), ct)).Verdict);

        Assert.Equal(RefreshVerdict.Reused, (await Store.RotateRefreshTokenAsync(TokenHash(1), Token(30, Session(user, "", "")), Time.GetUtcNow(), ct)).Verdict);
        Assert.Equal(RefreshVerdict.Unknown, (await Store.RotateRefreshTokenAsync(TokenHash(11), Token(31, Session(user, "", "")), Time.GetUtcNow(), ct)).Verdict);
        Assert.False(await Store.IsSessionActiveAsync(user.UserId, "dev_phone", "ses_1", ct));
        Assert.True(await Store.IsSessionActiveAsync(user.UserId, "dev_laptop", "ses_2", ct));
        Assert.Equal("dev_laptop", Assert.Single(await Store.ListDevicesAsync(user.UserId, ct)).DeviceId);
        Assert.Equal(0, await Db.ScalarAsync("SELECT count(*) FROM refresh_tokens WHERE user_id = @u AND device_id = 'dev_phone'", user.UserId));
    }

    [Fact]
    public async Task ConcurrentPresentationsOfOneToken_RotateOnce_AndCountTheOtherAsReuse()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await NewUserAsync();
        var phone = Session(user, "dev_phone", "ses_1");
        Assert.True(await Store.StartSessionAsync(phone, Token(1, phone), ct));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Store.RotateRefreshTokenAsync(TokenHash(1), Token(100 + i, Session(user, "", "")), Time.GetUtcNow(), ct)));
        Assert.Equal(1, outcomes.Count(o => o.Verdict == RefreshVerdict.Rotated));
        Assert.All(outcomes.Where(o => o.Verdict != RefreshVerdict.Rotated), o => Assert.Contains(o.Verdict, new[] { RefreshVerdict.Reused, RefreshVerdict.Unknown }));
        Assert.False(await Store.IsSessionActiveAsync(user.UserId, "dev_phone", "ses_1", ct));
    }

    [Fact]
    public async Task ANewLogin_ReplacesTheDevicesSession_AndAPasswordChangeKeepsOnlyTheCallersDevice()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await NewUserAsync();
        foreach (var (device, n) in new[] { ("dev_a", 1), ("dev_b", 2), ("dev_c", 3) })
        {
            var session = Session(user, device, "ses_" + n);
            Assert.True(await Store.StartSessionAsync(session, Token(n, session), ct));
        }

        var again = Session(user, "dev_a", "ses_9");
        Assert.True(await Store.StartSessionAsync(again, Token(9, again), ct));
        Assert.False(await Store.IsSessionActiveAsync(user.UserId, "dev_a", "ses_1", ct));
        Assert.True(await Store.IsSessionActiveAsync(user.UserId, "dev_a", "ses_9", ct));
        Assert.Equal(RefreshVerdict.Unknown, (await Store.RotateRefreshTokenAsync(TokenHash(1), Token(50, again), Time.GetUtcNow(), ct)).Verdict);

        var revoked = await Store.ChangePasswordAsync(user.UserId, "new-hash", "dev_b", ct);
        Assert.Equal(["dev_a", "dev_c"], revoked!.Order(StringComparer.Ordinal));
        Assert.Equal("new-hash", (await Store.FindUserByIdAsync(user.UserId, ct))!.PasswordHash);
        Assert.Equal("dev_b", Assert.Single(await Store.ListDevicesAsync(user.UserId, ct)).DeviceId);
        Assert.Equal(1, await Db.ScalarAsync("SELECT count(*) FROM refresh_tokens WHERE user_id = @u", user.UserId));
        Assert.Null(await Store.ChangePasswordAsync("usr_nobody", "h", null, ct));
        Assert.True(await Store.RevokeDeviceAsync(user.UserId, "dev_b", ct));
        Assert.False(await Store.RevokeDeviceAsync(user.UserId, "dev_b", ct));
        Assert.Empty(await Store.ListDevicesAsync(user.UserId, ct));
    }

    [Fact]
    public async Task DeletingAUser_LeavesNoRowOfTheirsInAnyTable_AndTouchesNoOneElse()
    {
        var ct = TestContext.Current.CancellationToken;
        var documents = new DocumentService(Store, new SyncOptions(), Limits, Time);
        var users = new[] { await NewUserAsync(), await NewUserAsync() };
        var n = 0;
        foreach (var user in users)
        {
            await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"A"}""", version: 5));
            await PushAsync(user, "dev_b", Update("cnt_1", """{"name":"B"}""", 6, 5, "10:35"));
            await PushAsync(user, "dev_a", Update("cnt_1", """{"name":"C"}""", 6, 5, "10:30"));
            var doc = new YDoc(new YDocOptions { ClientId = 4 });
            doc.GetText("t").Insert(0, "text");
            await documents.SyncAsync(user.UserId, "n1", new DocumentSyncRequest { YjsUpdates = doc.EncodeStateAsUpdate() }, ct);
            await documents.CompactAsync(user.UserId, "n1", ct);
            doc.GetText("t").Insert(0, "more ");
            await documents.SyncAsync(user.UserId, "n1", new DocumentSyncRequest { YjsUpdates = doc.EncodeStateAsUpdate() }, ct);
            var session = Session(user, "dev_a", "ses_" + ++n);
            Assert.True(await Store.StartSessionAsync(session, Token(n, session), ct));
        }

        // Every table that holds user rows is in the store's list, and the user has rows in each before.
        Assert.Equal((await Db.UserTablesAsync()).Order(StringComparer.Ordinal), SessionRows.UserTables.Order(StringComparer.Ordinal));
        var before = await Db.RowsPerTableAsync(users[0].UserId);
        Assert.All(before, t => Assert.True(t.Value > 0, $"{t.Key} holds no row of the user before"));
        var otherBefore = await Db.RowsPerTableAsync(users[1].UserId);

        Assert.True(await Store.DeleteUserAsync(users[0].UserId, ct));
        Assert.All(await Db.RowsPerTableAsync(users[0].UserId), t => Assert.True(t.Value == 0, $"{t.Key} still holds {t.Value} rows"));
        Assert.Equal(otherBefore, await Db.RowsPerTableAsync(users[1].UserId));
        Assert.False(await Store.DeleteUserAsync(users[0].UserId, ct));
        Assert.False(await Store.IsSessionActiveAsync(users[0].UserId, null, null, ct));
        Assert.True(await Store.IsSessionActiveAsync(users[1].UserId, null, null, ct));
        Assert.Null(await Store.FindUserByIdAsync(users[0].UserId, ct));
        Assert.Equal(["n1"], await Store.ListDocumentIdsAsync(users[1].UserId, null, 10, ct));
        Assert.Empty(await Store.ListDocumentIdsAsync(users[1].UserId, "n1", 10, ct));
    }
}
