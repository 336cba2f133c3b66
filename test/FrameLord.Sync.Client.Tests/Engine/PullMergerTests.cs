using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Engine;

public sealed class PullMergerTests
{
    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static OutboxEntry Pending(string data, long version, long ticks) => new()
    {
        ChangeId = "c1",
        EntityType = "contact",
        EntityId = "cnt_1",
        Operation = "update",
        Data = Obj(data),
        SyncVersion = version,
        BaseVersion = 5,
        ClientTimestamp = ticks,
    };

    [Fact]
    public void ContestedField_RemoteWithTheGreaterStamp_IsShown()
    {
        var shadow = Obj("""{"name":"Sarah","phone":"1"}""");
        var local = Obj("""{"name":"Sarah Chen","phone":"1"}""");
        var remote = Obj("""{"name":"Sarah Williams","phone":"1"}""");
        var merged = PullMerger.Merge(local, shadow, remote, new Stamp(6, 200, "dev_b"), [Pending("""{"name":"Sarah Chen"}""", 6, 100)], "dev_a");
        Assert.Equal("Sarah Williams", (string?)merged["name"]);
    }

    [Fact]
    public void ContestedField_LocalWithTheGreaterStamp_IsKept()
    {
        var shadow = Obj("""{"name":"Sarah"}""");
        var merged = PullMerger.Merge(Obj("""{"name":"Sarah Chen"}"""), shadow, Obj("""{"name":"Sarah Williams"}"""),
            new Stamp(6, 100, "dev_b"), [Pending("""{"name":"Sarah Chen"}""", 6, 200)], "dev_a");
        Assert.Equal("Sarah Chen", (string?)merged["name"]);
    }

    [Fact]
    public void SameVersionAndTime_DeviceIdBreaksTheTie()
    {
        var shadow = Obj("""{"name":"Sarah"}""");
        var pending = new[] { Pending("""{"name":"Mine"}""", 6, 100) };
        Assert.Equal("Mine", (string?)PullMerger.Merge(Obj("""{"name":"Mine"}"""), shadow, Obj("""{"name":"Theirs"}"""), new Stamp(6, 100, "dev_a"), pending, "dev_b")["name"]);
        Assert.Equal("Theirs", (string?)PullMerger.Merge(Obj("""{"name":"Mine"}"""), shadow, Obj("""{"name":"Theirs"}"""), new Stamp(6, 100, "dev_c"), pending, "dev_b")["name"]);
    }

    [Fact]
    public void FieldsOnlyOneSideChanged_AreBothKept()
    {
        var shadow = Obj("""{"name":"Sarah","phone":"1","email":"old"}""");
        var local = Obj("""{"name":"Sarah","phone":"2","email":"old"}""");
        var remote = Obj("""{"name":"Sarah","phone":"1","email":"new"}""");
        var merged = PullMerger.Merge(local, shadow, remote, new Stamp(9, 900, "dev_b"), [Pending("""{"phone":"2"}""", 6, 100)], "dev_a");
        Assert.Equal("2", (string?)merged["phone"]);
        Assert.Equal("new", (string?)merged["email"]);
    }

    [Fact]
    public void PendingDelete_ContestsIsArchived()
    {
        var entry = new OutboxEntry { ChangeId = "c", EntityType = "contact", EntityId = "cnt_1", Operation = "delete", SyncVersion = 9, BaseVersion = 5, ClientTimestamp = 1 };
        var merged = PullMerger.Merge(Obj("""{"name":"x","is_archived":true}"""), Obj("""{"name":"x","is_archived":false}"""),
            Obj("""{"name":"y","is_archived":false}"""), new Stamp(6, 5, "dev_b"), [entry], "dev_a");
        Assert.True((bool)merged["is_archived"]!);
        Assert.Equal("y", (string?)merged["name"]);
    }
}
