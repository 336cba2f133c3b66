using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Crdt;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Cli.Demo;

public static partial class DemoScript
{
    private static async Task NoteMerged(INarrator say, Device laptop, Device phone, Device tablet,
        Action<string, bool> check, CancellationToken cancellationToken)
    {
        say.Chapter("A note edited on two devices at once, merged");
        await laptop.Client.Notes.CreateAsync(new Note { Id = "note_plan", Title = "Q1 renewal plan" }, cancellationToken);
        await using (var body = await laptop.Client.Documents.OpenAsync("note_plan", cancellationToken))
        {
            body.Doc.Transact(_ =>
            {
                var blocks = body.Doc.GetMap("blocks");
                Paragraph(blocks, "b1", "Call Dana about the renewal.");
                Paragraph(blocks, "b2", "Send the pricing sheet.");
            });
        }

        await SyncAll([laptop, phone, tablet], cancellationToken);
        await phone.Client.Documents.SyncAsync("note_plan", cancellationToken);
        say.Say("The laptop writes a two-line plan; the phone receives it.");

        phone.Network.Offline = true;
        await using (var onPhone = await phone.Client.Documents.OpenAsync("note_plan", cancellationToken))
        {
            onPhone.Doc.Transact(_ => onPhone.Doc.GetMap("blocks").Get<YMap>("b1")!.Get<YText>("prop:text")!.Insert(0, "Today: "));
        }

        say.Say("Offline, the phone adds \"Today: \" to the first line...");
        await using (var onLaptop = await laptop.Client.Documents.OpenAsync("note_plan", cancellationToken))
        {
            onLaptop.Doc.Transact(_ =>
            {
                var blocks = onLaptop.Doc.GetMap("blocks");
                blocks.Get<YMap>("b2")!.Get<YText>("prop:text")!.Insert(8, " revised");
                Paragraph(blocks, "b3", "Book the follow-up meeting.");
            });
        }

        say.Say("...while the laptop edits the second line and adds a third.");
        await laptop.Client.Documents.SyncAsync("note_plan", cancellationToken);
        phone.Network.Offline = false;
        foreach (var device in new[] { phone, laptop, tablet })
        {
            await device.Client.Documents.SyncAsync("note_plan", cancellationToken);
        }

        await laptop.Client.Documents.SyncAsync("note_plan", cancellationToken);
        var texts = new List<string>();
        foreach (var device in new[] { laptop, phone, tablet })
        {
            texts.Add(Text(await device.Client.Documents.GetStateAsync("note_plan", cancellationToken)));
        }

        say.Table("The note on every device", ["device", "body"],
            [["laptop", texts[0]], ["phone", texts[1]], ["tablet", texts[2]]]);
        check("both devices' edits are in the note, with no conflict to resolve",
            texts[0].Contains("Today: Call Dana", StringComparison.Ordinal) && texts[0].Contains("Send the revised pricing sheet.", StringComparison.Ordinal)
            && texts[0].Contains("follow-up", StringComparison.Ordinal));
        check("every device holds the same note", texts.Distinct(StringComparer.Ordinal).Count() == 1);
    }

    private static void Paragraph(YMap blocks, string id, string text)
    {
        var block = blocks.Set(id, new YMap());
        block.Set("sys:flavour", "affine:paragraph");
        block.Set("prop:text", new YText()).Insert(0, text);
        block.Set("sys:children", new YArray());
    }

    private static string Text(byte[] state)
    {
        var doc = new YDoc(new YDocOptions { ClientId = YDoc.MaxClientId });
        doc.ApplyUpdate(state);
        var blocks = doc.GetMap("blocks");
        return string.Join(" / ", blocks.Keys.Order(StringComparer.Ordinal).Select(k => blocks.Get<YMap>(k)!.Get<YText>("prop:text")!.ToString()));
    }
}
