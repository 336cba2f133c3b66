using System.Text;

namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// Collects a pull page from rows read in seq order: it stops at <c>limit</c> rows or once the rows' data
/// adds up to <c>maxBytes</c> (the first row always comes, so every page moves the cursor), and says whether
/// rows were left (the query reads one row past the limit to know).
/// </summary>
internal sealed class PageBuilder(int limit, long maxBytes)
{
    private long _bytes;

    public List<EntityRow> Rows { get; } = new(Math.Min(limit, 1024));

    public bool HasMore { get; private set; }

    /// <summary>Takes the next row; false when the page is full (that row is left for the next page).</summary>
    public bool Add(EntityRow row)
    {
        var size = Encoding.UTF8.GetByteCount(row.DataJson);
        if (Rows.Count >= limit || (Rows.Count > 0 && _bytes + size > maxBytes))
        {
            HasMore = true;
            return false;
        }

        _bytes += size;
        Rows.Add(row);
        return true;
    }
}
