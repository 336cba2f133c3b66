using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

/// <summary>
/// A root that an update referred to before the application asked for it by type. Its content is kept and
/// handed to the concrete type on the first <c>GetText</c>/<c>GetMap</c>/<c>GetArray</c> call.
/// </summary>
public sealed class UntypedRoot : AbstractType
{
    internal UntypedRoot()
    {
    }

    internal override int TypeRef => throw new InvalidOperationException("An untyped root has no type ref.");

    /// <summary>
    /// The content guessed from its shape: a dictionary if it only has keyed entries, otherwise the list of
    /// values (text appears as one string per run).
    /// </summary>
    public override object? ToJson()
    {
        if (Start is null)
        {
            var dict = new Dictionary<string, object?>();
            foreach (var (key, value) in MapEntries())
            {
                dict[key] = value is AbstractType t ? t.ToJson() : value;
            }

            return dict;
        }

        var list = new List<object?>();
        for (var n = Start; n is not null; n = n.Right)
        {
            if (n.IsVisibleCountable)
            {
                if (n.Content is ContentString s)
                {
                    list.Add(s.ToString());
                }
                else
                {
                    var values = new List<object?>();
                    n.Content.AppendValues(values);
                    foreach (var v in values)
                    {
                        list.Add(v is AbstractType t ? t.ToJson() : v);
                    }
                }
            }
        }

        return list;
    }
}
