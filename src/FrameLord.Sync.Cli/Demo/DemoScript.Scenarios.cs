using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Cli.Demo;

public static partial class DemoScript
{
    private static async Task OfflineEdits(INarrator say, Device laptop, Device phone, Device tablet,
        Action<string, bool> check, CancellationToken cancellationToken)
    {
        say.Chapter("Working offline");
        phone.Network.Offline = true;
        say.Say("The phone goes into airplane mode and keeps working:");
        await phone.Client.Contacts.CreateAsync(new Contact { Id = "cnt_dana", Name = "Dana Lee", Company = "Northwind" }, cancellationToken);
        await phone.Client.Tasks.CreateAsync(new TaskItem { Id = "task_call_dana", Title = "Call Dana about the renewal", Status = "open" }, cancellationToken);
        say.Say($"  created a contact and a task; {phone.Client.State.PendingChanges} changes wait in its outbox (status: {phone.Client.State.Status}).");
        await laptop.Client.Projects.CreateAsync(new Project { Id = "prj_q1", Name = "Q1 renewals", Status = "active" }, cancellationToken);
        await SyncAll([laptop, phone, tablet], cancellationToken);
        say.Say("Meanwhile the laptop created a project and synced.");

        phone.Network.Offline = false;
        await SyncAll([phone, laptop, tablet], cancellationToken);
        say.Say("The phone is back online: it pulls first, then pushes its outbox.");
        var onTablet = await tablet.Client.Contacts.GetAsync("cnt_dana", cancellationToken);
        check("the tablet has the contact the phone made offline", onTablet?.Name == "Dana Lee");
        check("the phone has the laptop's project", (await phone.Client.Projects.GetAsync("prj_q1", cancellationToken))?.Name == "Q1 renewals");
    }

    private static async Task SarahConflict(INarrator say, Device laptop, Device phone, Device tablet,
        Action<string, bool> check, CancellationToken cancellationToken)
    {
        say.Chapter("Sarah Chen or Sarah Williams? (the seed's example)");
        await laptop.Client.Contacts.CreateAsync(new Contact { Id = "cnt_123", Name = "Sarah", Email = "sarah@example.com" }, cancellationToken);
        await SyncAll([laptop, phone, tablet], cancellationToken);
        phone.Network.Offline = true;
        phone.Clock.Now = new DateTimeOffset(2025, 12, 5, 10, 30, 0, TimeSpan.Zero);
        await phone.Client.Contacts.UpdateAsync("cnt_123", c => c.Name = "Sarah Chen", cancellationToken);
        say.Say("10:30 — the phone (offline) renames her \"Sarah Chen\".");
        tablet.Clock.Now = new DateTimeOffset(2025, 12, 5, 10, 35, 0, TimeSpan.Zero);
        await tablet.Client.Contacts.UpdateAsync("cnt_123", c => c.Name = "Sarah Williams", cancellationToken);
        await tablet.Client.SyncNowAsync(cancellationToken);
        say.Say("10:35 — the tablet renames her \"Sarah Williams\" and syncs.");

        phone.Notices.Clear();
        phone.Network.Offline = false;
        await SyncAll([phone, laptop, tablet], cancellationToken);
        var onPhone = await phone.Client.Contacts.GetAsync("cnt_123", cancellationToken);
        say.Say($"The phone syncs: the later edit wins the name, and the phone now shows \"{onPhone?.Name}\" (version {onPhone?.SyncVersion}).");
        foreach (var notice in phone.Notices.Distinct())
        {
            say.Say($"  phone notification: {notice}");
        }

        var conflicts = await phone.Client.GetConflictsAsync(includeClosed: true, cancellationToken);
        var conflict = conflicts.FirstOrDefault(c => c.EntityId == "cnt_123");
        check("every device shows Sarah Williams", (await laptop.Client.Contacts.GetAsync("cnt_123", cancellationToken))?.Name == "Sarah Williams"
            && onPhone?.Name == "Sarah Williams");
        check("the phone was told the contact changed on another device", phone.Notices.Count > 0);
        check("one conflict on name, auto-resolved, \"Sarah Chen\" kept restorable",
            conflict is { NeedsReview: false } && conflict.Fields.SequenceEqual(["name"]) && conflict.Local.GetProperty("name").GetString() == "Sarah Chen");
    }

    private static async Task CriticalConflict(INarrator say, Device laptop, Device phone, Device tablet,
        Action<string, bool> check, CancellationToken cancellationToken)
    {
        say.Chapter("A conflict on a critical field, resolved by the user");
        var at = new DateTimeOffset(2025, 12, 5, 11, 0, 0, TimeSpan.Zero);
        laptop.Clock.Now = at;
        tablet.Clock.Now = at.AddSeconds(20);
        await laptop.Client.Contacts.UpdateAsync("cnt_123", c => c.Email = "sarah.williams@globex.com", cancellationToken);
        await tablet.Client.Contacts.UpdateAsync("cnt_123", c => c.Email = "swilliams@initech.com", cancellationToken);
        say.Say("Within 20 seconds, the laptop and the tablet give Sarah two different emails.");
        await laptop.Client.SyncNowAsync(cancellationToken);
        await tablet.Client.SyncNowAsync(cancellationToken);
        var open = (await tablet.Client.GetConflictsAsync(cancellationToken: cancellationToken)).Where(c => c.NeedsReview).ToList();
        say.Say($"Email is critical and the edits were within 60 s: the tablet shows {open.Count} conflict(s) to review (status: {tablet.Client.State.Status}).");
        check("the conflict needs review", open.Count == 1);
        if (open.Count == 1)
        {
            say.Table("Conflict", ["", "email"],
            [
                ["this device (tablet)", open[0].Local.GetProperty("email").GetString() ?? ""],
                ["the other device", open[0].Remote.GetProperty("email").GetString() ?? ""],
            ]);
            await tablet.Client.KeepLocalAsync(open[0].ConflictId, cancellationToken);
            say.Say("The user taps \"Keep local\" on the tablet.");
        }

        await SyncAll([laptop, phone, tablet], cancellationToken);
        var emails = new List<string?>();
        foreach (var device in new[] { laptop, phone, tablet })
        {
            emails.Add((await device.Client.Contacts.GetAsync("cnt_123", cancellationToken))?.Email);
        }

        check("every device has the chosen email", emails.All(e => e == "swilliams@initech.com"));
        check("nothing is left to review", (await laptop.Client.GetConflictsAsync(cancellationToken: cancellationToken)).All(c => c.Status != ConflictStatuses.Open));
    }

    private static async Task DeleteWhileEditing(INarrator say, Device laptop, Device phone, Device tablet,
        Action<string, bool> check, CancellationToken cancellationToken)
    {
        say.Chapter("Deleted on one device while edited on another, then restored");
        await laptop.Client.Contacts.CreateAsync(new Contact { Id = "cnt_bob", Name = "Bob Stone", Title = "Engineer" }, cancellationToken);
        await SyncAll([laptop, phone, tablet], cancellationToken);
        phone.Network.Offline = true;
        await tablet.Client.Contacts.DeleteAsync("cnt_bob", cancellationToken);
        await tablet.Client.SyncNowAsync(cancellationToken);
        say.Say("The tablet deletes Bob and syncs.");
        phone.Clock.Now = phone.Clock.Now.AddHours(1);
        await phone.Client.Contacts.UpdateAsync("cnt_bob", c => c.Title = "Engineering Manager", cancellationToken);
        say.Say("The phone, offline, had just promoted him to Engineering Manager.");
        phone.Network.Offline = false;
        await SyncAll([phone, laptop, tablet], cancellationToken);
        var archived = await laptop.Client.Contacts.GetAsync("cnt_bob", cancellationToken);
        check("Bob stays deleted (a concurrent edit does not undelete)", archived?.IsArchived == true);
        check("the phone's edit was kept on the deleted contact", archived?.Title == "Engineering Manager");

        await laptop.Client.Contacts.RestoreAsync("cnt_bob", cancellationToken);
        await SyncAll([laptop, phone, tablet], cancellationToken);
        var restored = await tablet.Client.Contacts.GetAsync("cnt_bob", cancellationToken);
        say.Say("The laptop restores him from the archive.");
        check("Bob is back everywhere, with the phone's edit", restored is { IsArchived: false, Title: "Engineering Manager" });
    }
}
