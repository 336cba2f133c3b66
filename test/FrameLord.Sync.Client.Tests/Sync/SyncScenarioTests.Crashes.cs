using System.Diagnostics;
using System.Net.Http.Json;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Sync;

public abstract partial class SyncScenarioTests
{
    private sealed class CrashException() : Exception("simulated crash");

    private static void CrashAt(SyncClient client, string point, int occurrence = 1)
    {
        var seen = 0;
        client.Database.FaultHook = p =>
        {
            if (p == point && ++seen == occurrence)
            {
                throw new CrashException();
            }
        };
    }

    private async Task<Dictionary<string, long>> ServerVersionsAsync() =>
        (await ServerSnapshotAsync()).ToDictionary(kv => kv.Key, kv => System.Text.Json.JsonDocument.Parse(kv.Value).RootElement.GetProperty("sync_version").GetInt64());

    private async Task<int> ServerConflictCountAsync()
    {
        var auth = await Http().LoginAsync(new LoginRequest { Email = Email, Password = Password }, CancellationToken.None);
        var list = await Server.Client(auth.AccessToken).GetFromJsonAsync("/api/v1/sync/conflicts?status=all", SyncJsonContext.Default.ConflictList);
        return list!.Conflicts.Count;
    }

    [Fact]
    public async Task ADeviceKilledBetweenLocalWriteAndPush_LosesNothing_AndDuplicatesNothing_AfterRestart()
    {
        var a = (await DevicesAsync("a"))[0];
        for (var i = 0; i < 5; i++)
        {
            await a.Contacts.CreateAsync(new Contact { Id = $"cnt_{i}", Name = $"C{i}" });
        }

        await a.Tasks.CreateAsync(new TaskItem { Id = "task_1", Title = "T" });
        await a.Tasks.UpdateAsync("task_1", t => t.Status = "done");
        // The process dies right after the batch was marked sent, before any byte went out.
        CrashAt(a, SyncClient.FaultPushBeforeSend);
        await Assert.ThrowsAsync<CrashException>(() => a.SyncNowAsync());
        await CloseAsync(a);
        Assert.Empty((await ServerSnapshotAsync()).Keys);

        var restarted = await OpenDeviceAsync("a");
        Assert.Equal(6, restarted.State.PendingChanges);
        await restarted.LoginAsync(Email, Password);
        await restarted.SyncNowAsync();

        var versions = await ServerVersionsAsync();
        Assert.Equal(6, versions.Count);
        Assert.All(versions.Values, v => Assert.InRange(v, 1, 2)); // created once: v1, or v2 for the coalesced task (sync_version 2)
        Assert.Equal(1, versions["contact/cnt_0"]);
        Assert.Equal(2, versions["task/task_1"]);
        Assert.Equal(0, restarted.State.PendingChanges);
        var b = await OpenDeviceAsync("b");
        await b.LoginAsync(Email, Password);
        await b.SyncNowAsync();
        Assert.Equal("done", (await b.Tasks.GetAsync("task_1"))!.Status);
        Assert.Equal(Snapshot(restarted), Snapshot(b));
    }

    [Fact]
    public async Task ADeviceKilledBetweenServerCommitAndResponse_DuplicatesNothing_AndANewEditMakesANewEntry()
    {
        var transport = new FaultyTransport(Http());
        var a = await OpenDeviceAsync("a", transport);
        await a.SignupAsync(Email, Password, "Me");
        for (var i = 0; i < 150; i++)
        {
            await a.Contacts.CreateAsync(new Contact { Id = $"cnt_{i:D3}", Name = $"C{i}" });
        }

        await a.Contacts.UpdateAsync("cnt_000", c => c.Phone = "1"); // coalesced into the create
        // The server commits the first batch; the answer is lost and the process dies.
        transport.AfterPush = (_, _) => throw FaultyTransport.Lost();
        await Assert.ThrowsAsync<SyncTransportException>(() => a.SyncNowAsync());
        await CloseAsync(a);
        var sentFirst = transport.Pushes[0].Changes.Select(c => c.ChangeId).ToArray();
        Assert.Equal(100, sentFirst.Length);
        Assert.Equal(100, (await ServerSnapshotAsync()).Count);

        var retry = new FaultyTransport(Http());
        var restarted = await OpenDeviceAsync("a", retry);
        await restarted.LoginAsync(Email, Password);
        // An edit of an entity in the unacknowledged batch: a new entry, the sent one stays as it was.
        await restarted.Contacts.UpdateAsync("cnt_000", c => c.Name = "after the crash");
        Assert.Equal(151, restarted.State.PendingChanges);
        await restarted.SyncNowAsync();

        Assert.Equal(sentFirst, retry.Pushes[0].Changes.Select(c => c.ChangeId));
        Assert.Equal(transport.Pushes[0].Changes.Select(c => c.Data?.GetRawText()), retry.Pushes[0].Changes.Select(c => c.Data?.GetRawText()));
        var versions = await ServerVersionsAsync();
        Assert.Equal(150, versions.Count);
        Assert.Equal(3, versions["contact/cnt_000"]); // create (sync_version 2) replayed without effect, then the new edit
        Assert.All(versions.Where(kv => kv.Key != "contact/cnt_000"), kv => Assert.Equal(1, kv.Value));
        Assert.Equal(0, await ServerConflictCountAsync());
        var contact = (await restarted.Contacts.GetAsync("cnt_000"))!;
        Assert.Equal(("after the crash", "1", 3L), (contact.Name, contact.Phone, contact.SyncVersion));
        Assert.Equal(await ServerSnapshotAsync(), Snapshot(restarted));
    }

    [Fact]
    public async Task ADeviceKilledAfterTheAnswerButBeforeItsAckIsCommitted_ResendsAndTheServerReplays()
    {
        var a = (await DevicesAsync("a"))[0];
        for (var i = 0; i < 30; i++)
        {
            await a.Notes.CreateAsync(new Note { Id = $"note_{i}", Title = $"N{i}" });
        }

        CrashAt(a, SyncClient.FaultPushBeforeAck);
        await Assert.ThrowsAsync<CrashException>(() => a.SyncNowAsync());
        await CloseAsync(a);

        var restarted = await OpenDeviceAsync("a");
        Assert.Equal(30, restarted.State.PendingChanges);
        await restarted.LoginAsync(Email, Password);
        var result = await restarted.SyncNowAsync();
        Assert.Equal(30, result.Pushed);
        Assert.All((await ServerVersionsAsync()).Values, v => Assert.Equal(1, v));
        Assert.Equal(0, await ServerConflictCountAsync());
        Assert.Equal(0, restarted.State.PendingChanges);
        Assert.Equal(1, (await restarted.Notes.GetSyncInfoAsync("note_7"))!.ServerVersion);
    }

    [Fact]
    public async Task ARestartInTheMiddleOfAPull_ResumesFromTheLastCommittedPage_WithoutGaps()
    {
        var a = (await DevicesAsync("a"))[0];
        for (var i = 0; i < 1200; i++)
        {
            await a.Contacts.CreateAsync(new Contact { Id = $"cnt_{i:D4}", Name = $"C{i}" });
        }

        await a.SyncNowAsync();
        var b = await OpenDeviceAsync("b", pullPageSize: 500);
        await b.LoginAsync(Email, Password);

        // Page 2 applied but its cursor not written: the whole page rolls back.
        CrashAt(b, SyncClient.FaultPullBeforeCursor, occurrence: 2);
        await Assert.ThrowsAsync<CrashException>(() => b.SyncNowAsync());
        Assert.Equal(500 + 1, await b.Contacts.CountAsync()); // and Contact Zero
        await CloseAsync(b);

        // Page 2 committed with its cursor; the process dies before asking for page 3.
        var second = await OpenDeviceAsync("b", pullPageSize: 500);
        await second.LoginAsync(Email, Password);
        CrashAt(second, SyncClient.FaultPullAfterCommit, occurrence: 1);
        await Assert.ThrowsAsync<CrashException>(() => second.SyncNowAsync());
        Assert.Equal(1000 + 1, await second.Contacts.CountAsync());
        await CloseAsync(second);

        var third = await OpenDeviceAsync("b", pullPageSize: 500);
        await third.LoginAsync(Email, Password);
        var result = await third.SyncNowAsync();
        Assert.Equal(200, result.Pulled);
        Assert.Equal(await ServerSnapshotAsync(), Snapshot(third));
    }

    [Fact]
    public async Task ARealProcessKilledMidSync_LosesNoAcknowledgedWrite_AndDuplicatesNothing()
    {
        await DevicesAsync("owner");
        var acknowledged = await RunCrashHostUntilKilledAsync([], writes: 600, syncs: 3, "the host wrote and pushed");

        var reopened = await OpenDeviceAsync("host");
        var local = (await reopened.Contacts.ListAsync()).Where(c => !c.IsContactZero).Select(c => c.Id).ToHashSet();
        Assert.Superset(acknowledged.ToHashSet(), local);
        Assert.InRange(local.Count, acknowledged.Length, acknowledged.Length + 1);
        Assert.True(reopened.State.PendingChanges < local.Count, "some changes were pushed before the kill");

        await reopened.LoginAsync(Email, Password);
        await reopened.SyncNowAsync();
        var versions = await ServerVersionsAsync();
        Assert.Equal(local.Order(), versions.Keys.Select(k => k["contact/".Length..]).Order());
        Assert.All(versions.Values, v => Assert.Equal(1, v));
        Assert.Equal(0, reopened.State.PendingChanges);
        Assert.Equal(await ServerSnapshotAsync(), Snapshot(reopened));
    }

    /// <summary>
    /// Runs the crash host (a real device process) with <paramref name="extraArgs"/> until it reported
    /// <paramref name="writes"/> acknowledged writes (<c>W id</c>) and <paramref name="syncs"/> syncs
    /// (<c>A</c>), kills it, and returns the ids it acknowledged.
    /// </summary>
    private async Task<string[]> RunCrashHostUntilKilledAsync(string[] extraArgs, int writes, int syncs, string what)
    {
        var host = typeof(SyncScenarioTests).Assembly.Location
            .Replace("FrameLord.Sync.Client.Tests", "FrameLord.Sync.Client.CrashHost", StringComparison.Ordinal);
        Assert.True(File.Exists(host), $"crash host not built at {host}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { host, Folder.File("host.db"), Server.BaseAddress.ToString(), Email, Password, "100000" }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var written = new List<string>();
        var acks = 0;
        var errors = new System.Text.StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            lock (written)
            {
                if (e.Data?.StartsWith("W ", StringComparison.Ordinal) == true)
                {
                    written.Add(e.Data[2..]);
                }
                else if (e.Data?.StartsWith("A ", StringComparison.Ordinal) == true)
                {
                    acks++;
                }
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Wait.UntilAsync(() => { lock (written) { return (written.Count >= writes && acks >= syncs) || process.HasExited; } }, what, 90_000);
            Assert.False(process.HasExited, $"the host exited early: {errors}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        lock (written)
        {
            return [.. written];
        }
    }
}
