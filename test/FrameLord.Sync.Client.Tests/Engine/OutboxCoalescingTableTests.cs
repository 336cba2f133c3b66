using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;

namespace FrameLord.Sync.Client.Tests.Engine;

/// <summary>Runs every case of the coalescing table shared with the TypeScript SDK (test/data/outbox-coalescing.json).</summary>
public sealed class OutboxCoalescingTableTests
{
    private static readonly Lazy<JsonObject> Table = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "outbox-coalescing.json")))!);

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Table.Value["cases"]!.AsArray())
        {
            names.Add((string)c!["name"]!);
        }

        return names;
    }

    [Fact]
    public void Table_HasUniqueNamesAndAKnownFormat()
    {
        Assert.Equal(1, (int)Table.Value["format_version"]!);
        var names = Table.Value["cases"]!.AsArray().Select(c => (string)c!["name"]!).ToList();
        Assert.True(names.Count >= 20, $"only {names.Count} cases");
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case_ProducesTheExpectedOutbox(string name)
    {
        var c = Table.Value["cases"]!.AsArray().Single(x => (string)x!["name"]! == name)!;
        var type = (string)c["entity_type"]!;
        var id = (string)c["entity_id"]!;
        var outbox = c["outbox_before"]!.AsArray().Select(x => ToEntry(x!, type, id)).ToList();
        var lastSeq = outbox.Count == 0 ? 0 : outbox.Max(x => x.Seq);

        foreach (var node in c["edits"]!.AsArray())
        {
            var edit = ToEdit(node!);
            var local = node!["local_entity"] as JsonObject ?? new JsonObject();
            var (outcome, entry) = OutboxCoalescer.Enqueue(outbox.LastOrDefault(), edit, local, type, id, () => (++lastSeq, "c" + lastSeq));
            switch (outcome)
            {
                case CoalesceOutcome.Inserted:
                    outbox.Add(entry!);
                    break;
                case CoalesceOutcome.Removed:
                    outbox.Remove(entry!);
                    break;
            }
        }

        var expected = c["outbox_after"]!.AsArray();
        Assert.Equal(expected.Count, outbox.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var want = ToEntry(expected[i]!, type, id);
            var got = outbox[i];
            Assert.Equal(
                (want.Seq, want.ChangeId, want.Operation, want.ClientTimestamp, want.SyncVersion, want.BaseVersion, want.Sent),
                (got.Seq, got.ChangeId, got.Operation, got.ClientTimestamp, got.SyncVersion, got.BaseVersion, got.Sent));
            Assert.True(JsonNode.DeepEquals(want.Data, got.Data), $"entry {i}: expected {want.DataJson ?? "null"}, got {got.DataJson ?? "null"}");
        }
    }

    private static LocalEdit ToEdit(JsonNode node) => new(
        (string)node["kind"]! switch
        {
            "create" => EditKind.Create,
            "update" => EditKind.Update,
            "delete" => EditKind.Delete,
            "restore" => EditKind.Restore,
            var other => throw new InvalidDataException($"unknown edit kind {other}"),
        },
        node["data"]?.DeepClone() as JsonObject,
        (long)node["sync_version"]!,
        (long)node["client_timestamp"]!,
        (long)node["base_version"]!);

    private static OutboxEntry ToEntry(JsonNode node, string type, string id) => new()
    {
        Seq = (long)node["seq"]!,
        ChangeId = (string)node["change_id"]!,
        EntityType = type,
        EntityId = id,
        Operation = (string)node["operation"]!,
        Data = node["data"]?.DeepClone() as JsonObject,
        ClientTimestamp = (long)node["client_timestamp"]!,
        SyncVersion = (long)node["sync_version"]!,
        BaseVersion = (long)node["base_version"]!,
        Sent = (bool)node["sent"]!,
    };
}
