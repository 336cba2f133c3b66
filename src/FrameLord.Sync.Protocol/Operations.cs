namespace FrameLord.Sync.Protocol;

/// <summary>Values of a change's <c>operation</c> field.</summary>
public static class Operations
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";
}
