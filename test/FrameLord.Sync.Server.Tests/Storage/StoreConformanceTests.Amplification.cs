using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Storage;
using FrameLord.Sync.TestKit;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

/// <summary>
/// What a push answers and stores grows with the request and the entities it touches, never with their
/// product (DESIGN 3.4): each test measures response and stored bytes against request bytes.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private const int BigFieldBytes = 250_000;

    private static long RequestBytes(PushRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, SyncJsonContext.Default.PushRequest).Length;

    private static long ResponseBytes(PushResponse response) => JsonSerializer.SerializeToUtf8Bytes(response, SyncJsonContext.Default.PushResponse).Length;

    /// <summary>dev_b creates a contact with a 250 KB field and then sets <paramref name="contested"/> (version 2), so dev_a's stale edits lose.</summary>
    private async Task<UserRecord> BigEntityAsync(string contested, string value)
    {
        var user = await NewUserAsync();
        var big = new string('x', BigFieldBytes);
        await PushAsync(user, "dev_b", Create("cnt_big", $$"""{"name":"Sarah","notes":"{{big}}"}"""));
        await PushAsync(user, "dev_b", Update("cnt_big", $$"""{"{{contested}}":"{{value}}"}""", 2, 1, "10:35"));
        return user;
    }

    private async Task<(long Request, long Response, long Stored, PushResponse Answer)> MeasureAsync(UserRecord user, PushRequest request)
    {
        var before = await Db.ConflictAndOutcomeBytesAsync(user.UserId);
        var answer = await Sync.PushAsync(user.UserId, request, CancellationToken.None);
        var stored = await Db.ConflictAndOutcomeBytesAsync(user.UserId) - before;
        var figures = (RequestBytes(request), ResponseBytes(answer), stored, answer);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{backend}: request {figures.Item1:N0} B, response {figures.Item2:N0} B, stored {figures.Item3:N0} B");
        return figures;
    }

    [Fact]
    public async Task TwoHundredEditsLosingToOneBigEntity_AnswerTheEntityOnce_AndStoreNoCopyOfIt()
    {
        var user = await BigEntityAsync("name", "B");
        var changes = Enumerable.Range(0, 200)
            .Select(i => Update("cnt_big", $$"""{"name":"A{{i}}"}""", 2, 1, "10:30", changeId: $"chg_{i:D3}")).ToArray();

        var (request, response, stored, answer) = await MeasureAsync(user, Push("dev_a", changes));

        Assert.Equal(200, answer.Conflicts.Count);
        Assert.Single(answer.Conflicts, c => c.Winner is not null);
        var carrier = answer.Conflicts[0];
        Assert.Equal("B", carrier.Winner!.Value.GetProperty("name").GetString());
        Assert.All(answer.Conflicts.Skip(1), c => Assert.Equal(carrier.ChangeId, c.WinnerRef));
        // The entity once (250 KB), plus a few times the request: not 200 copies (50 MB).
        Assert.True(response < BigFieldBytes + (4 * request), $"response {response} for a request of {request}");
        Assert.True(stored < 8 * request, $"stored {stored} for a request of {request}");
    }

    [Fact]
    public async Task TwoHundredEditsOfABigContestedField_CarryTheValueTheyMetOnce()
    {
        var big = new string('y', BigFieldBytes);
        var user = await BigEntityAsync("notes", big);
        var changes = Enumerable.Range(0, 200)
            .Select(i => Update("cnt_big", $$"""{"notes":"a{{i}}"}""", 2, 1, "10:30", changeId: $"chg_{i:D3}")).ToArray();

        var (request, response, stored, answer) = await MeasureAsync(user, Push("dev_a", changes));

        Assert.Equal(200, answer.Conflicts.Count);
        Assert.Single(answer.Conflicts, c => c.Remote.TryGetProperty("notes", out _));
        // The value met is in the first conflict's remote and in the winner; everything else is small. Stored:
        // that remote in the conflict record and in the recorded outcome, and the winner's contested field.
        Assert.True(response < (2 * BigFieldBytes) + (4 * request), $"response {response} for a request of {request}");
        Assert.True(stored < (3 * BigFieldBytes) + (8 * request), $"stored {stored} for a request of {request}");

        // use_remote on a later conflict still writes the value it met, taken from the first one's record.
        Time.Advance(TimeSpan.FromMinutes(1));
        var later = answer.Conflicts[^1];
        var resolved = await Sync.ResolveConflictAsync(user.UserId, later.ConflictId,
            new ResolveConflictRequest { Choice = ResolutionChoices.UseRemote, DeviceId = "dev_a" }, CancellationToken.None);
        Assert.Equal(big, resolved.Entity.GetProperty("notes").GetString());
    }

    [Fact]
    public async Task AChangeIdRepeatedInOneRequest_AnswersItsConflictOnce()
    {
        var user = await BigEntityAsync("notes", "short");
        var local = new string('z', 100_000);
        var first = Update("cnt_big", $$"""{"notes":"{{local}}"}""", 2, 1, "10:30", changeId: "chg_big");
        // Repeats of the same change id are answered from the first outcome, whatever they carry.
        var repeats = Enumerable.Range(0, 300).Select(_ => Delete("cnt_big", 2, 1, "10:30", changeId: "chg_big"));

        var (request, response, _, answer) = await MeasureAsync(user, Push("dev_a", [first, .. repeats]));
        Assert.Single(answer.Conflicts);
        Assert.Equal(301, answer.Successful.Count);
        Assert.True(response < BigFieldBytes + (4 * request), $"response {response} for a request of {request}");

        // A later retry replays the recorded outcome: the conflict once, and no winner stored to replay.
        var (request2, response2, stored2, replay) = await MeasureAsync(user, Push("dev_a", [first, .. repeats]));
        Assert.Single(replay.Conflicts);
        Assert.Equal(0, stored2);
        Assert.True(response2 < BigFieldBytes + (4 * request2), $"replay response {response2} for a request of {request2}");
    }
}
