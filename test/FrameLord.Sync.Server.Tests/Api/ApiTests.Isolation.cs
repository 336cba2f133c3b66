using System.Net;
using System.Net.Http.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Tests.Api;

public abstract partial class ApiTests
{
    [Fact]
    public async Task ASecondUser_CanNeitherRead_NorChange_NorResolve_AnythingOfTheFirst()
    {
        var alice = Server.Client((await Server.SignupAsync()).AccessToken);
        var bob = Server.Client((await Server.SignupAsync()).AccessToken);
        await PushOk(alice, PushJson("dev_a", ChangeJson("cnt_1", """{"email":"a@x"}""")));
        await PushOk(alice, PushJson("dev_b", ChangeJson("cnt_1", """{"email":"b@x"}""", op: "update", version: 2, baseVersion: 1)));
        var conflict = Assert.Single((await PushOk(alice, PushJson("dev_a",
            ChangeJson("cnt_1", """{"email":"c@x"}""", op: "update", version: 2, baseVersion: 1)))).Conflicts);

        // Read: pull, and the conflict list.
        Assert.Empty((await PullOk(bob)).Changes);
        Assert.Empty((await bob.GetFromJsonAsync("/api/v1/sync/conflicts?status=all", SyncJsonContext.Default.ConflictList))!.Conflicts);

        // Resolve: another user's conflict id answers exactly like an unknown one.
        var resolve = await bob.PostAsync($"/api/v1/sync/conflicts/{conflict.ConflictId}/resolve", JsonBody("""{"choice":"keep_local","device_id":"x"}"""));
        Assert.Equal(ErrorCodes.NotFound, (await ErrorOf(resolve, HttpStatusCode.NotFound)).Code);

        // Change: pushing the same ids (including a delete) touches only Bob's own data.
        await PushOk(bob, PushJson("dev_x", ChangeJson("cnt_1", """{"email":"bob@x"}""", op: "update", version: 9, baseVersion: 8)));
        await PushOk(bob, PushJson("dev_x", ChangeJson("cnt_1", "null", op: "delete", version: 10, baseVersion: 9)));
        var aliceView = Assert.Single((await PullOk(alice)).Changes);
        Assert.Equal("b@x", aliceView.Data.GetProperty("email").GetString());
        Assert.False(aliceView.IsArchived);
        Assert.Single((await alice.GetFromJsonAsync("/api/v1/sync/conflicts?status=all", SyncJsonContext.Default.ConflictList))!.Conflicts);
        Assert.Equal(ConflictStatuses.Open, (await alice.GetFromJsonAsync("/api/v1/sync/conflicts", SyncJsonContext.Default.ConflictList))!.Conflicts.Single().Status);
    }
}
