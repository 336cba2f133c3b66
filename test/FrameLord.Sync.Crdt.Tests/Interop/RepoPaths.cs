namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>Locates the repository root (the folder holding FrameLord.Sync.slnx) from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string YjsHarnessDir => Path.Combine(Root, "eng", "yjs");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
            {
                return dir.FullName;
            }

            dir = dir.Parent;
        }

        throw new InvalidOperationException("FrameLord.Sync.slnx not found above " + AppContext.BaseDirectory);
    }
}
