using System.Text;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.ContactZero;

/// <summary>Contact Zero moves between accounts as a file (seed Open Question 5), never through sync.</summary>
public sealed class ContactZeroPortabilityTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _oldTransport = new();
    private readonly ScriptedTransport _newTransport = new();
    private SyncClient _old = null!;
    private SyncClient _new = null!;

    public async ValueTask InitializeAsync()
    {
        _old = await LocalDevice.OpenAsync(_folder.File("old.db"), _oldTransport, _time);
        await _old.UseAccountAsync(new AuthResponse { UserId = "usr_old", ContactZeroId = "cnt_zero_old", AccessToken = "t1", ExpiresIn = 3600 }, "Sarah", "sarah@old.example");
        _new = await LocalDevice.OpenAsync(_folder.File("new.db"), _newTransport, _time, seed: 2);
        await _new.UseAccountAsync(new AuthResponse { UserId = "usr_new", ContactZeroId = "cnt_zero_new", AccessToken = "t2", ExpiresIn = 3600 }, "Sarah Chen", "sarah@new.example");
    }

    public async ValueTask DisposeAsync()
    {
        await _old.DisposeAsync();
        await _new.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task ExportThenImport_TheUserChoosesPerField_ReferencesAreRewritten_AndContactZeroIsNeverPushed()
    {
        await _old.Contacts.UpdateAsync("cnt_zero_old", c => c.Phone = "+1 555 0100");
        await _old.Tasks.CreateAsync(new TaskItem { Id = "tsk_me", Title = "call myself", ContactId = "cnt_zero_old" });
        await _old.Groups.CreateAsync(new Group { Id = "grp_family", Name = "Family", ContactIds = ["cnt_mum", "cnt_zero_old"] });
        await _old.Tasks.CreateAsync(new TaskItem { Id = "tsk_other", Title = "not about me" });

        var file = await _old.ExportContactZeroAsync();
        var import = _new.ReadContactZeroFile(file);
        Assert.Equal("cnt_zero_old", import.OldId);
        Assert.Equal(2, import.ReferenceCount);
        var phone = Assert.Single(import.Fields, f => f.Name == "phone");
        Assert.True(phone.Differs);
        Assert.Null(phone.Current);
        Assert.Equal("+1 555 0100", phone.Imported!.Value.GetString());
        Assert.Equal("Sarah Chen", import.Fields.Single(f => f.Name == "name").Current!.Value.GetString());

        var result = await _new.ImportContactZeroAsync(import, new Dictionary<string, ContactZeroChoice>
        {
            ["phone"] = ContactZeroChoice.UseImported,
            ["name"] = ContactZeroChoice.KeepCurrent,
        });
        Assert.Equal(["phone"], result.FieldsTaken);
        Assert.Equal((2, 0), (result.EntitiesImported, result.EntitiesSkipped));

        var zero = (await _new.Contacts.GetAsync("cnt_zero_new"))!;
        Assert.Equal(("Sarah Chen", "+1 555 0100", "sarah@new.example"), (zero.Name, zero.Phone, zero.Email));
        Assert.Equal("cnt_zero_new", (await _new.Tasks.GetAsync("tsk_me"))!.ContactId);
        Assert.Equal(["cnt_mum", "cnt_zero_new"], (await _new.Groups.GetAsync("grp_family"))!.ContactIds);
        Assert.Null(await _new.Tasks.GetAsync("tsk_other"));

        await _new.SyncNowAsync();
        await _old.SyncNowAsync();
        var pushed = _newTransport.Pushes.Concat(_oldTransport.Pushes).SelectMany(p => p.Changes).Select(c => c.EntityId).ToList();
        Assert.Contains("tsk_me", pushed);
        Assert.Contains("grp_family", pushed);
        Assert.DoesNotContain("cnt_zero_new", pushed);
        Assert.DoesNotContain("cnt_zero_old", pushed);
        Assert.All(_newTransport.Pushes.SelectMany(p => p.Changes), c => Assert.DoesNotContain("cnt_zero_old", c.Data?.GetRawText() ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImportingTwice_SkipsTheEntitiesAlreadyHere()
    {
        await _old.Tasks.CreateAsync(new TaskItem { Id = "tsk_me", Title = "call myself", ContactId = "cnt_zero_old" });
        var import = _new.ReadContactZeroFile(await _old.ExportContactZeroAsync());
        await _new.ImportContactZeroAsync(import, new Dictionary<string, ContactZeroChoice>());
        var again = await _new.ImportContactZeroAsync(import, new Dictionary<string, ContactZeroChoice>());
        Assert.Equal((0, 1), (again.EntitiesImported, again.EntitiesSkipped));
    }

    [Fact]
    public async Task AFileFromANewerFormat_OrNotAContactZeroFile_IsRefusedClearly()
    {
        var file = Encoding.UTF8.GetString(await _old.ExportContactZeroAsync(includeReferences: false));
        var newer = Encoding.UTF8.GetBytes(file.Replace("\"format_version\":1", "\"format_version\":2", StringComparison.Ordinal));
        var error = Assert.Throws<ContactZeroFormatException>(() => _new.ReadContactZeroFile(newer));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
        Assert.Throws<ContactZeroFormatException>(() => _new.ReadContactZeroFile("{\"format\":\"something else\"}"u8.ToArray()));
        Assert.Throws<ContactZeroFormatException>(() => _new.ReadContactZeroFile("not json"u8.ToArray()));
    }
}
