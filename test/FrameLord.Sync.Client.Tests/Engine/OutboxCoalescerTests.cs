using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Engine;

public sealed class OutboxCoalescerTests
{
    private long _seq;

    private (long, string) Next() => (++_seq, "c" + _seq);

    private OutboxEntry Insert(EditKind kind, string? json, long version = 1, long baseVersion = 0)
    {
        var (outcome, entry) = OutboxCoalescer.Coalesce(null, Edit(kind, json, version, baseVersion), "contact", "cnt_1", Next);
        Assert.Equal(CoalesceOutcome.Inserted, outcome);
        return entry;
    }

    private static LocalEdit Edit(EditKind kind, string? json, long version, long baseVersion = 0) =>
        new(kind, json is null ? null : (JsonObject)JsonNode.Parse(json)!, version, version * 100, baseVersion);

    [Fact]
    public void CreateThenUpdate_IsOneCreate_WithTheMergedEntity()
    {
        var entry = Insert(EditKind.Create, """{"id":"cnt_1","name":"A","email":"a@x"}""");
        var (outcome, merged) = OutboxCoalescer.Coalesce(entry, Edit(EditKind.Update, """{"name":"B"}""", 2), "contact", "cnt_1", Next);
        Assert.Equal(CoalesceOutcome.Updated, outcome);
        Assert.Equal(Operations.Create, merged.Operation);
        Assert.Equal("""{"id":"cnt_1","name":"B","email":"a@x"}""", merged.Data!.ToJsonString());
        Assert.Equal(2, merged.SyncVersion);
        Assert.Equal("c1", merged.ChangeId);
    }

    [Fact]
    public void UpdateThenUpdate_IsOneMergedPatch_LaterValuesWin_BaseKept()
    {
        var entry = Insert(EditKind.Update, """{"name":"A","phone":"1"}""", 6, 5);
        var (_, merged) = OutboxCoalescer.Coalesce(entry, Edit(EditKind.Update, """{"name":"B","email":"e"}""", 7), "contact", "cnt_1", Next);
        Assert.Equal(Operations.Update, merged.Operation);
        Assert.Equal("""{"name":"B","phone":"1","email":"e"}""", merged.Data!.ToJsonString());
        Assert.Equal(7, merged.SyncVersion);
        Assert.Equal(5, merged.BaseVersion);
    }

    [Fact]
    public void CreateThenDelete_IsNothingAtAll()
    {
        var entry = Insert(EditKind.Create, """{"id":"cnt_1","name":"A"}""");
        var (outcome, _) = OutboxCoalescer.Coalesce(entry, Edit(EditKind.Delete, null, 2), "contact", "cnt_1", Next);
        Assert.Equal(CoalesceOutcome.Removed, outcome);
    }

    [Fact]
    public void UpdateThenDelete_IsAnUpdateOfTheFieldsAndIsArchived_AndRestoreTurnsIsArchivedBack()
    {
        var entry = Insert(EditKind.Update, """{"name":"A"}""", 6, 5);
        var (_, deleted) = OutboxCoalescer.Coalesce(entry, Edit(EditKind.Delete, null, 7), "contact", "cnt_1", Next);
        // A bare delete would drop the field edits: the server keeps them on the archived entity instead.
        Assert.Equal(Operations.Update, deleted.Operation);
        Assert.Equal("""{"name":"A","is_archived":true}""", deleted.Data!.ToJsonString());
        Assert.Equal(7, deleted.SyncVersion);
        var (_, restored) = OutboxCoalescer.Coalesce(deleted, Edit(EditKind.Restore, null, 8), "contact", "cnt_1", Next);
        Assert.Equal(Operations.Update, restored.Operation);
        Assert.Equal("""{"name":"A","is_archived":false}""", restored.Data!.ToJsonString());
        Assert.Equal(8, restored.SyncVersion);
        Assert.Equal(5, restored.BaseVersion);
    }

    [Fact]
    public void DeleteThenUpdate_IsAnUpdateOfTheFieldsAndIsArchived_AndRestoreTurnsIsArchivedBack()
    {
        var entry = Insert(EditKind.Delete, null, 6, 5);
        Assert.Equal(Operations.Delete, entry.Operation);
        var (_, edited) = OutboxCoalescer.Coalesce(entry, Edit(EditKind.Update, """{"name":"A"}""", 7), "contact", "cnt_1", Next);
        Assert.Equal(Operations.Update, edited.Operation);
        Assert.Equal("""{"name":"A","is_archived":true}""", edited.Data!.ToJsonString());
        var (_, again) = OutboxCoalescer.Coalesce(edited, Edit(EditKind.Update, """{"phone":"1"}""", 8), "contact", "cnt_1", Next);
        Assert.Equal("""{"name":"A","is_archived":true,"phone":"1"}""", again.Data!.ToJsonString());
        var (_, restored) = OutboxCoalescer.Coalesce(again, Edit(EditKind.Restore, null, 9), "contact", "cnt_1", Next);
        Assert.Equal(Operations.Update, restored.Operation);
        Assert.Equal("""{"name":"A","is_archived":false,"phone":"1"}""", restored.Data!.ToJsonString());
        Assert.Equal((9L, 5L, "c1"), (restored.SyncVersion, restored.BaseVersion, restored.ChangeId));
    }

    [Fact]
    public void ADeleteWithoutFieldEdits_StaysADelete_EvenAfterARestore()
    {
        var entry = Insert(EditKind.Restore, null, 6, 5);
        var (_, deleted) = OutboxCoalescer.Coalesce(entry, Edit(EditKind.Delete, null, 7), "contact", "cnt_1", Next);
        Assert.Equal(Operations.Delete, deleted.Operation);
        Assert.Null(deleted.Data);
    }

    [Fact]
    public void DeleteThenRestore_IsAnUpdateOfIsArchived()
    {
        var entry = Insert(EditKind.Delete, null, 6, 5);
        var (_, restored) = OutboxCoalescer.Coalesce(entry, Edit(EditKind.Restore, null, 7), "contact", "cnt_1", Next);
        Assert.Equal(Operations.Update, restored.Operation);
        Assert.Equal("""{"is_archived":false}""", restored.Data!.ToJsonString());
    }

    [Theory]
    [InlineData(false, 5, 5, true)]
    [InlineData(true, 5, 5, false)]
    [InlineData(false, 5, 7, false)]
    public void IsOpen_OnlyWhenUnsentAndMadeFromTheKnownServerVersion(bool sent, long baseVersion, long serverVersion, bool open)
    {
        var entry = Insert(EditKind.Update, """{"name":"A"}""", baseVersion + 1, baseVersion);
        entry.Sent = sent;
        Assert.Equal(open, OutboxCoalescer.IsOpen(entry, serverVersion));
        Assert.False(OutboxCoalescer.IsOpen(null, serverVersion));
    }
}
