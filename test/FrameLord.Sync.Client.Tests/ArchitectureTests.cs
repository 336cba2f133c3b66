namespace FrameLord.Sync.Client.Tests;

/// <summary>Rules of the SDK's layout that a compiler does not check.</summary>
public sealed class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found above the test output.");
    }

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(Path.Combine(Root, project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void OnlyLocal_SeesAConnectionOrSql()
    {
        var local = Path.Combine(Root, "src", "FrameLord.Sync.Client", "Local") + Path.DirectorySeparatorChar;
        var offenders = SourceFiles(Path.Combine("src", "FrameLord.Sync.Client"))
            .Where(f => !f.StartsWith(local, StringComparison.Ordinal))
            .Where(f =>
            {
                var text = File.ReadAllText(f);
                return text.Contains("Microsoft.Data.Sqlite", StringComparison.Ordinal) || text.Contains("CreateCommand", StringComparison.Ordinal)
                    || text.Contains("_db.Read(", StringComparison.Ordinal) || text.Contains("Database.Read(", StringComparison.Ordinal)
                    || text.Contains("SELECT ", StringComparison.Ordinal) || text.Contains("INSERT INTO", StringComparison.Ordinal);
            })
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void NoFileOfTheSdkOrItsTests_IsOver400Lines()
    {
        var offenders = SourceFiles(Path.Combine("src", "FrameLord.Sync.Client"))
            .Concat(SourceFiles(Path.Combine("test", "FrameLord.Sync.Client.Tests")))
            .Select(f => (File: Path.GetRelativePath(Root, f), Lines: File.ReadLines(f).Count()))
            .Where(x => x.Lines > 400)
            .ToList();
        Assert.Empty(offenders);
    }

    private static readonly string Sdk = Path.Combine("src", "FrameLord.Sync.Client");

    private static string Facade => Path.Combine(Root, Sdk, "SyncClient.cs");

    /// <summary>The file's lines without comments (doc comments may name the client; code may not).</summary>
    private static IEnumerable<string> CodeLines(string file) =>
        File.ReadLines(file).Select(l => l.Contains("//", StringComparison.Ordinal) ? l[..l.IndexOf("//", StringComparison.Ordinal)] : l);

    [Fact]
    public void SyncClient_IsOneFile_AndNotPartial()
    {
        var declaring = SourceFiles(Sdk)
            .Where(f => CodeLines(f).Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\bclass SyncClient\b")))
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();
        Assert.Equal([Path.GetRelativePath(Root, Facade)], declaring);
        Assert.DoesNotContain(CodeLines(Facade), l => l.Contains("partial class SyncClient", StringComparison.Ordinal));
    }

    [Fact]
    public void NoTypeBesideTheFacade_ReferencesSyncClient()
    {
        var offenders = SourceFiles(Sdk)
            .Where(f => f != Facade)
            .Where(f => CodeLines(f).Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\bSyncClient\b")))
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void TheFacade_HoldsOnlyItsParts_AndNoLock()
    {
        var code = CodeLines(Facade).ToList();
        var fields = code.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+private\s+(readonly\s+|static\s+)*[\w<>?,. ]+\s+_\w+\s*(=|;)")).ToList();
        Assert.Equal(["    private readonly ClientParts _parts;"], fields);
        Assert.DoesNotContain(code, l => l.Contains("lock (", StringComparison.Ordinal) || l.Contains("SemaphoreSlim", StringComparison.Ordinal)
            || l.Contains("new Lock()", StringComparison.Ordinal));
    }

    [Fact]
    public void EachPart_OwnsAtMostOneLock()
    {
        var offenders = SourceFiles(Path.Combine(Sdk, "Parts"))
            .Select(f => (File: Path.GetRelativePath(Root, f),
                Locks: CodeLines(f).Count(l => l.Contains("new Lock()", StringComparison.Ordinal) || l.Contains("new SemaphoreSlim(", StringComparison.Ordinal))))
            .Where(x => x.Locks > 1)
            .ToList();
        Assert.Empty(offenders);
    }
}
