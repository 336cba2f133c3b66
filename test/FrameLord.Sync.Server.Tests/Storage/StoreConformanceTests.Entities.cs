using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ContactZero_IsRefusedPerChange_WhileTheRestOfTheBatchApplies()
    {
        var user = await NewUserAsync();
        var response = await PushAsync(user, "dev_a",
            Create(user.ContactZeroId, """{"name":"Me"}"""),
            Create("cnt_2", """{"name":"Someone"}"""),
            Create("cnt_3", """{"name":"Another me","is_contact_zero":true}"""),
            Create("tsk_1", """{"title":"Call"}""", type: EntityTypes.Task));

        Assert.Equal(2, response.Failed.Count);
        Assert.All(response.Failed, f => Assert.Equal(ErrorCodes.ContactZeroNotSyncable, f.Error.Code));
        Assert.Equal(["cnt_2", "tsk_1"], response.Successful.Select(s => s.EntityId));
        var (changes, _) = await PullAllAsync(user);
        Assert.Equal(["cnt_2", "tsk_1"], changes.Select(c => c.EntityId));
    }

    [Fact]
    public async Task PerChangeFailures_UnknownTypeBadVersionsBadData_DoNotFailTheOthers()
    {
        var user = await NewUserAsync();
        var response = await PushAsync(user, "dev_a",
            Create("x_1", "{}", type: "widget"),
            Update("cnt_1", """{"name":"x"}""", 3, 3, "10:00"),
            Make(Operations.Update, EntityTypes.Contact, "cnt_2", Json("[1,2]"), 2, 1, "10:00"),
            Make("upsert", EntityTypes.Contact, "cnt_3", Json("{}"), 2, 1, "10:00"),
            Create("cnt_4", """{"is_archived":"yes"}"""),
            Create("cnt_5", """{"id":"cnt_other"}"""),
            Create("cnt_ok", """{"name":"fine"}"""));

        Assert.Equal(
            [ErrorCodes.UnknownEntityType, ErrorCodes.ValidationFailed, ErrorCodes.ValidationFailed, ErrorCodes.ValidationFailed,
             ErrorCodes.ValidationFailed, ErrorCodes.ValidationFailed],
            response.Failed.Select(f => f.Error.Code));
        Assert.Equal("cnt_ok", Assert.Single(response.Successful).EntityId);
        Assert.Equal("cnt_ok", Assert.Single((await PullAllAsync(user)).Changes).EntityId);
    }

    [Fact]
    public async Task EntityOverTheSizeLimit_FailsThatChangeOnly()
    {
        var user = await NewUserAsync();
        var big = new string('x', 300 * 1024);
        var response = await PushAsync(user, "dev_a",
            Create("cnt_big", $$"""{"name":"{{big}}"}"""),
            Create("cnt_small", """{"name":"small"}"""));
        Assert.Equal(ErrorCodes.EntityTooLarge, Assert.Single(response.Failed).Error.Code);
        Assert.Equal("cnt_small", Assert.Single((await PullAllAsync(user)).Changes).EntityId);
    }

    [Fact]
    public async Task UpdateOfAnUnknownEntity_CreatesIt_AndDeleteOfAnUnknownEntity_StoresATombstone()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Update("cnt_new", """{"name":"N"}""", 4, 3, "10:00"), Delete("cnt_gone", 2, 1, "10:00"));
        var (changes, _) = await PullAllAsync(user);
        Assert.Equal("N", Field(changes.Single(c => c.EntityId == "cnt_new"), "name"));
        var tombstone = changes.Single(c => c.EntityId == "cnt_gone");
        Assert.Equal(Operations.Delete, tombstone.Operation);
        Assert.True(tombstone.IsArchived);
    }

    [Fact]
    public async Task Tombstone_ConcurrentEditKeepsItArchived_WithTheEdit_ThenRestoreBringsItBack()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"Sarah","title":"CTO"}"""));
        await PushAsync(user, "dev_a", Delete("cnt_1", 2, 1, "10:30"));
        // Device B edited the entity without having seen the delete, later in time.
        var edit = await PushAsync(user, "dev_b", Update("cnt_1", """{"title":"CEO"}""", 2, 1, "10:40"));
        Assert.Empty(edit.Failed);

        var archived = await PullOneAsync(user, "cnt_1");
        Assert.True(archived.IsArchived);
        Assert.Equal(Operations.Delete, archived.Operation);
        Assert.Equal("CEO", Field(archived, "title"));

        var restore = await PushAsync(user, "dev_a", Update("cnt_1", """{"is_archived":false}""", archived.SyncVersion + 1, archived.SyncVersion, "10:50"));
        Assert.Empty(restore.Conflicts);
        var restored = await PullOneAsync(user, "cnt_1");
        Assert.False(restored.IsArchived);
        Assert.Equal(Operations.Update, restored.Operation);
        Assert.Equal("Sarah", Field(restored, "name"));
        Assert.Equal("CEO", Field(restored, "title"));
    }

    [Fact]
    public async Task UnknownFields_AreKept_AndDerivedFieldsComeFromTheServer()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("prj_1", """{"name":"P","future_field":{"nested":[1,2]},"sync_version":99,"updated_at":"1999-01-01T00:00:00Z"}""", type: EntityTypes.Project));
        var pulled = await PullOneAsync(user, "prj_1");
        Assert.Equal("""{"nested":[1,2]}""", pulled.Data.GetProperty("future_field").GetRawText());
        Assert.Equal(1, pulled.Data.GetProperty("sync_version").GetInt64());
        Assert.Equal("prj_1", pulled.Data.GetProperty("id").GetString());
        Assert.Equal("dev_a", pulled.ModifiedByDevice);
    }

    [Fact]
    public async Task Isolation_AnotherUserSeesNothing_AndCannotResolve()
    {
        var alice = await NewUserAsync();
        var bob = await NewUserAsync();
        await PushAsync(alice, "dev_a", Create("cnt_1", """{"email":"a@x"}"""));
        await PushAsync(alice, "dev_b", Update("cnt_1", """{"email":"b@x"}""", 2, 1, "10:30"));
        var conflict = (await PushAsync(alice, "dev_a", Update("cnt_1", """{"email":"c@x"}""", 2, 1, "10:30"))).Conflicts.Single();

        Assert.Empty((await PullAllAsync(bob)).Changes);
        Assert.Empty((await Sync.ListConflictsAsync(bob.UserId, "all", CancellationToken.None)).Conflicts);
        var error = await Assert.ThrowsAsync<ApiException>(() => Sync.ResolveConflictAsync(bob.UserId, conflict.ConflictId,
            new ResolveConflictRequest { Choice = ResolutionChoices.KeepLocal, DeviceId = "dev_x" }, CancellationToken.None));
        Assert.Equal(404, error.Status);

        // Bob writing the same entity id writes his own entity. (Alice's equal stamps tie-break on device: dev_b.)
        await PushAsync(bob, "dev_x", Create("cnt_1", """{"email":"bob@x"}"""));
        Assert.Equal("b@x", Field(await PullOneAsync(alice, "cnt_1"), "email"));
        Assert.Equal("bob@x", Field(await PullOneAsync(bob, "cnt_1"), "email"));
    }

    [Fact]
    public async Task Purge_DeletesOldTombstones_AndOlderCursorsGet410()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_keep", "{}"), Create("cnt_del", "{}"));
        var (_, early) = await PullAllAsync(user);
        await PushAsync(user, "dev_a", Delete("cnt_del", 2, 1, "10:00"));
        var (_, late) = await PullAllAsync(user);

        Time.Advance(Options.TombstoneRetention + TimeSpan.FromDays(1));
        var horizon = Time.GetUtcNow() - Options.TombstoneRetention;
        var purged = await Store.PurgeAsync(horizon, horizon, CancellationToken.None);
        Assert.Equal(1, purged.TombstonesDeleted);

        var gone = await Assert.ThrowsAsync<ApiException>(() => Sync.PullAsync(user.UserId, Pull("d", early), CancellationToken.None));
        Assert.Equal(410, gone.Status);
        Assert.Equal(ErrorCodes.ResyncRequired, gone.Code);
        // A cursor past the purged tombstone, and a pull from the beginning, still work.
        Assert.Empty((await Sync.PullAsync(user.UserId, Pull("d", late), CancellationToken.None)).Changes);
        Assert.Equal("cnt_keep", Assert.Single((await PullAllAsync(user)).Changes).EntityId);
    }
}
