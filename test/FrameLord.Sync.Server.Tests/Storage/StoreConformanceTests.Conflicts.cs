using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    /// <summary>DESIGN 4's worked example: both devices hold v5; A sets "Sarah Chen" at 10:30, B "Sarah Williams" at 10:35.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WorkedExample_EitherPushOrder_EndsAtSarahWilliams_Version7_OneConflict(bool aFirst)
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_setup", Create("cnt_123", """{"name":"Sarah","email":"sarah@example.com"}""", version: 5));

        var a = Update("cnt_123", """{"name":"Sarah Chen"}""", 6, 5, "10:30");
        var b = Update("cnt_123", """{"name":"Sarah Williams"}""", 6, 5, "10:35");
        var first = aFirst ? await PushAsync(user, "dev_a", a) : await PushAsync(user, "dev_b", b);
        var second = aFirst ? await PushAsync(user, "dev_b", b) : await PushAsync(user, "dev_a", a);

        Assert.Empty(first.Conflicts);
        var conflict = Assert.Single(second.Conflicts);
        Assert.Equal(["name"], conflict.Fields);
        Assert.False(conflict.NeedsReview);
        Assert.Equal(aFirst ? ConflictResolutions.LocalWon : ConflictResolutions.RemoteWon, conflict.Resolution);
        Assert.Equal("Sarah Williams", conflict.Winner!.Value.GetProperty("name").GetString());
        Assert.Equal(aFirst ? "Sarah Williams" : "Sarah Chen", conflict.Local.GetProperty("name").GetString());
        Assert.Equal(aFirst ? "Sarah Chen" : "Sarah Williams", conflict.Remote.GetProperty("name").GetString());
        Assert.Equal(7, second.Successful.Single().SyncVersion);

        var pulled = await PullOneAsync(user, "cnt_123");
        Assert.Equal("Sarah Williams", Field(pulled, "name"));
        Assert.Equal("sarah@example.com", Field(pulled, "email"));
        Assert.Equal(7, pulled.SyncVersion);

        var all = await Sync.ListConflictsAsync(user.UserId, "all", CancellationToken.None);
        var recorded = Assert.Single(all.Conflicts);
        Assert.Equal(ConflictStatuses.AutoResolved, recorded.Status);
        Assert.Empty((await Sync.ListConflictsAsync(user.UserId, null, CancellationToken.None)).Conflicts);
    }

    [Fact]
    public async Task ConcurrentEditsOfDifferentFields_BothSurvive_WithoutConflict()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"Sarah","company":"Acme"}"""));
        var a = await PushAsync(user, "dev_a", Update("cnt_1", """{"name":"Sarah Chen"}""", 2, 1, "10:30"));
        var b = await PushAsync(user, "dev_b", Update("cnt_1", """{"company":"Globex"}""", 2, 1, "10:31"));

        Assert.Empty(a.Conflicts);
        Assert.Empty(b.Conflicts);
        var pulled = await PullOneAsync(user, "cnt_1");
        Assert.Equal("Sarah Chen", Field(pulled, "name"));
        Assert.Equal("Globex", Field(pulled, "company"));
        Assert.Equal(3, pulled.SyncVersion);
    }

    [Theory]
    [InlineData(ResolutionChoices.KeepLocal, "new-a@example.com")]
    [InlineData(ResolutionChoices.UseRemote, "new-b@example.com")]
    [InlineData(ResolutionChoices.Merged, "merged@example.com")]
    public async Task CriticalFieldWithin60s_NeedsReview_AndEachChoiceResolvesIt_ReachingOtherDevices(string choice, string expected)
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"Sarah","email":"old@example.com"}"""));
        await PushAsync(user, "dev_b", Update("cnt_1", """{"email":"new-b@example.com"}""", 2, 1, "10:30"));
        var pushed = await PushAsync(user, "dev_a", Update("cnt_1", """{"email":"new-a@example.com"}""", 2, 1, "10:30"));

        var conflict = Assert.Single(pushed.Conflicts);
        Assert.True(conflict.NeedsReview);
        var open = Assert.Single((await Sync.ListConflictsAsync(user.UserId, "open", CancellationToken.None)).Conflicts);
        Assert.Equal(conflict.ConflictId, open.ConflictId);
        Assert.Equal(ConflictStatuses.Open, open.Status);
        var (_, cursor) = await PullAllAsync(user, "dev_c");

        var resolved = await Sync.ResolveConflictAsync(user.UserId, conflict.ConflictId, new ResolveConflictRequest
        {
            Choice = choice,
            DeviceId = "dev_a",
            Data = choice == ResolutionChoices.Merged ? Json("""{"email":"merged@example.com"}""") : null,
        }, CancellationToken.None);

        Assert.Equal(expected, resolved.Entity.GetProperty("email").GetString());
        Assert.Equal("Sarah", resolved.Entity.GetProperty("name").GetString());
        Assert.Empty((await Sync.ListConflictsAsync(user.UserId, "open", CancellationToken.None)).Conflicts);
        Assert.Equal(ConflictStatuses.Resolved, (await Sync.ListConflictsAsync(user.UserId, "all", CancellationToken.None)).Conflicts.Single().Status);

        // Device C pulls from where it was and gets the resolution.
        var (changes, _) = await PullAllAsync(user, "dev_c", cursor);
        var pulled = Assert.Single(changes);
        Assert.Equal(expected, Field(pulled, "email"));
        Assert.Equal(resolved.SyncVersion, pulled.SyncVersion);

        // The resolution outranks both sides: a late push from either device's old base loses.
        var late = await PushAsync(user, "dev_b", Update("cnt_1", """{"email":"late@example.com"}""", 3, 2, "10:31"));
        Assert.Equal(ConflictResolutions.RemoteWon, Assert.Single(late.Conflicts).Resolution);
        Assert.Equal(expected, Field(await PullOneAsync(user, "cnt_1"), "email"));
    }

    [Fact]
    public async Task CriticalFieldFarApart_IsAutoResolved()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_1", """{"phone":"1"}"""));
        await PushAsync(user, "dev_b", Update("cnt_1", """{"phone":"2"}""", 2, 1, "10:30"));
        var pushed = await PushAsync(user, "dev_a", Update("cnt_1", """{"phone":"3"}""", 2, 1, "10:32"));
        var conflict = Assert.Single(pushed.Conflicts);
        Assert.False(conflict.NeedsReview);
        Assert.Equal(ConflictResolutions.LocalWon, conflict.Resolution);
    }

    [Fact]
    public async Task NonCriticalConflict_KeepsTheLosingValue_Restorable()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_1", """{"title":"Engineer"}"""));
        await PushAsync(user, "dev_b", Update("cnt_1", """{"title":"CTO"}""", 2, 1, "10:35"));
        var pushed = await PushAsync(user, "dev_a", Update("cnt_1", """{"title":"VP Engineering"}""", 2, 1, "10:30"));
        var conflict = Assert.Single(pushed.Conflicts);
        Assert.Equal(ConflictResolutions.RemoteWon, conflict.Resolution);
        Assert.Equal("CTO", Field(await PullOneAsync(user, "cnt_1"), "title"));

        var stored = Assert.Single((await Sync.ListConflictsAsync(user.UserId, "all", CancellationToken.None)).Conflicts);
        Assert.Equal("VP Engineering", stored.Local.GetProperty("title").GetString());
        await Sync.ResolveConflictAsync(user.UserId, stored.ConflictId,
            new ResolveConflictRequest { Choice = ResolutionChoices.KeepLocal, DeviceId = "dev_a" }, CancellationToken.None);
        Assert.Equal("VP Engineering", Field(await PullOneAsync(user, "cnt_1"), "title"));

        // A resolved conflict can be resolved again later.
        await Sync.ResolveConflictAsync(user.UserId, stored.ConflictId,
            new ResolveConflictRequest { Choice = ResolutionChoices.UseRemote, DeviceId = "dev_b" }, CancellationToken.None);
        Assert.Equal("CTO", Field(await PullOneAsync(user, "cnt_1"), "title"));
    }

    [Fact]
    public async Task EntityPolicy_TheOlderChangeLosesAsAWhole()
    {
        var sync = WithPolicy(ConflictPolicy.Entity);
        var user = await NewUserAsync();
        await sync.PushAsync(user.UserId, Push("dev_a", Create("cnt_1", """{"name":"Sarah","company":"Acme"}""")), CancellationToken.None);
        await sync.PushAsync(user.UserId, Push("dev_b", Update("cnt_1", """{"name":"Sarah Williams"}""", 2, 1, "10:35")), CancellationToken.None);
        var pushed = await sync.PushAsync(user.UserId, Push("dev_a", Update("cnt_1", """{"name":"Sarah Chen","company":"Globex"}""", 2, 1, "10:30")), CancellationToken.None);

        var conflict = Assert.Single(pushed.Conflicts);
        Assert.Equal(ConflictResolutions.RemoteWon, conflict.Resolution);
        var pulled = await PullOneAsync(user, "cnt_1");
        Assert.Equal("Sarah Williams", Field(pulled, "name"));
        Assert.Equal("Acme", Field(pulled, "company")); // the untouched field lost too: the seed's whole-entity rule
    }

    [Fact]
    public async Task FieldPolicy_OutcomeDoesNotDependOnArrivalOrder()
    {
        var random = new Random(1234);
        for (var round = 0; round < 20; round++)
        {
            var writes = new List<(string Device, Change Change)>();
            for (var i = 0; i < 12; i++)
            {
                var device = $"dev_{random.Next(3)}";
                var field = new[] { "name", "email", "title", "tags" }[random.Next(4)];
                var version = 2 + random.Next(4);
                var time = $"10:{random.Next(3):00}";
                writes.Add((device, Update("cnt_p", $$"""{"{{field}}":"{{device}}-{{i}}"}""", version, version - 1, time)));
            }

            var results = new List<string>();
            foreach (var order in new[] { writes, writes.OrderBy(_ => random.Next()).ToList() })
            {
                var user = await NewUserAsync();
                await PushAsync(user, "dev_setup", Create("cnt_p", """{"name":"start"}"""));
                foreach (var (device, change) in order)
                {
                    await PushAsync(user, device, change with { ChangeId = change.ChangeId + "-" + user.UserId });
                }

                var data = (await PullOneAsync(user, "cnt_p")).Data;
                results.Add(string.Join(",", new[] { "name", "email", "title", "tags" }
                    .Select(f => data.TryGetProperty(f, out var v) ? v.ToString() : "-")));
            }

            Assert.True(results[0] == results[1], $"round {round}: {results[0]} vs {results[1]}");
        }
    }
}
