namespace FrameLord.Sync.Crdt.Tests.Undo;

public sealed class UndoManagerTests
{
    private static YDoc Doc(ulong id) => new(new YDocOptions { ClientId = id });

    private static void Sync(YDoc a, YDoc b)
    {
        b.ApplyUpdate(a.EncodeStateAsUpdate(b.EncodeStateVector()), "remote");
        a.ApplyUpdate(b.EncodeStateAsUpdate(a.EncodeStateVector()), "remote");
    }

    [Fact]
    public void Undo_OnlyRevertsThisReplicasEdits_NotConcurrentRemoteOnes()
    {
        var a = Doc(1);
        var b = Doc(2);
        var undo = new YUndoManager(a.GetText("t"), new YUndoManagerOptions { CaptureTimeout = TimeSpan.Zero });
        a.GetText("t").Insert(0, "hello");
        Sync(a, b);
        b.GetText("t").Insert(5, " world");
        a.GetText("t").Insert(0, ">");
        Sync(a, b);
        Assert.Equal(">hello world", a.GetText("t").ToString());

        undo.Undo();
        Assert.Equal("hello world", a.GetText("t").ToString());
        undo.Undo();
        Assert.Equal(" world", a.GetText("t").ToString());
        Assert.False(undo.CanUndo);
        Sync(a, b);
        Assert.Equal(" world", b.GetText("t").ToString());

        undo.Redo();
        undo.Redo();
        Sync(a, b);
        Assert.Equal(">hello world", b.GetText("t").ToString());
    }

    [Fact]
    public void CaptureTimeout_MergesChangesWithinIt_FromTheInjectedClock()
    {
        var time = new ManualTime();
        var doc = Doc(1);
        var text = doc.GetText("t");
        var undo = new YUndoManager(text, new YUndoManagerOptions { CaptureTimeout = TimeSpan.FromMilliseconds(500), TimeProvider = time });
        var added = 0;
        var updated = 0;
        undo.StackItemAdded += (_, _) => added++;
        undo.StackItemUpdated += (_, _) => updated++;

        text.Insert(0, "a");
        time.Advance(TimeSpan.FromMilliseconds(499));
        text.Insert(1, "b");
        time.Advance(TimeSpan.FromMilliseconds(500));
        text.Insert(2, "c");
        undo.StopCapturing();
        text.Insert(3, "d");

        Assert.Equal((3, 1), (added, updated));
        Assert.Equal(3, undo.UndoStack.Count);
        undo.Undo();
        Assert.Equal("abc", text.ToString());
        undo.Undo();
        Assert.Equal("ab", text.ToString());
        undo.Undo();
        Assert.Equal(string.Empty, text.ToString());
    }

    [Fact]
    public void UntrackedOrigin_IsNotUndone_AndTrackedOriginsCanBeAdded()
    {
        var doc = Doc(1);
        var map = doc.GetMap("m");
        var undo = new YUndoManager(map, new YUndoManagerOptions { CaptureTimeout = TimeSpan.Zero });
        doc.Transact(_ => map.Set("a", 1), origin: "sync");
        Assert.False(undo.CanUndo);
        undo.AddTrackedOrigin("sync");
        doc.Transact(_ => map.Set("b", 2), origin: "sync");
        Assert.True(undo.CanUndo);
        undo.Undo();
        Assert.Equal(1L, Convert.ToInt64(map.Get("a"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(map.Has("b"));
    }

    [Fact]
    public void StackItemMeta_IsKeptFromAddedToPopped()
    {
        var doc = Doc(1);
        var text = doc.GetText("t");
        var undo = new YUndoManager(text);
        // The step is added after its transaction, so the metadata sees the text after the change.
        undo.StackItemAdded += (_, e) => e.StackItem.Meta["selection"] = text.Length;
        object? restored = null;
        YStackKind? kind = null;
        undo.StackItemPopped += (_, e) => (restored, kind) = (e.StackItem.Meta["selection"], e.Kind);
        text.Insert(0, "abc");
        undo.Undo();
        Assert.Equal(((object?)3, YStackKind.Undo), (restored, kind));
    }

    [Fact]
    public void Clear_EmptiesBothStacks_AndRaisesStackCleared()
    {
        var doc = Doc(1);
        var text = doc.GetText("t");
        var undo = new YUndoManager(text, new YUndoManagerOptions { CaptureTimeout = TimeSpan.Zero });
        var cleared = new List<(bool, bool)>();
        undo.StackCleared += (_, e) => cleared.Add((e.UndoStackCleared, e.RedoStackCleared));
        text.Insert(0, "a");
        text.Insert(0, "b");
        undo.Undo();
        undo.Clear();
        Assert.False(undo.CanUndo);
        Assert.False(undo.CanRedo);
        Assert.Equal([(true, true)], cleared);
        Assert.Null(undo.Undo());
    }

    [Fact]
    public void RelativePosition_FollowsContentAnUndoRecreated()
    {
        var doc = Doc(1);
        var text = doc.GetText("t");
        var undo = new YUndoManager(text, new YUndoManagerOptions { CaptureTimeout = TimeSpan.Zero });
        text.Insert(0, "abc");
        var position = YRelativePosition.FromTypeIndex(text, 1);
        text.Delete(0, 3);
        Assert.Equal(0, position.ToAbsolute(doc)!.Index);
        undo.Undo();
        Assert.Equal(1, position.ToAbsolute(doc)!.Index);
        // Without following, the position stays on the deleted original, which sits after the recreated copy.
        Assert.Equal(3, position.ToAbsolute(doc, followUndoneDeletions: false)!.Index);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
