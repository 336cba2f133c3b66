using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Types;

public abstract partial class AbstractType
{
    /// <summary>At most this many search markers per type (as yjs).</summary>
    internal const int MaxSearchMarkers = 80;

    /// <summary>
    /// Finds a marker near <paramref name="index"/>, moving or creating one (yjs <c>findMarker</c>). Returns
    /// null when markers are off, the list is empty or the index is 0.
    /// </summary>
    internal SearchMarker? FindMarker(long index)
    {
        var markers = Markers;
        if (Start is null || index == 0 || markers is null)
        {
            return null;
        }

        SearchMarker? marker = null;
        if (markers.Count > 0)
        {
            marker = markers[0];
            for (var i = 1; i < markers.Count; i++)
            {
                var m = markers[i];
                if (!(Math.Abs(index - marker.Index) < Math.Abs(index - m.Index)))
                {
                    marker = m;
                }
            }
        }

        var p = Start;
        var pindex = 0L;
        if (marker is not null)
        {
            p = marker.Item;
            pindex = marker.Index;
            marker.Timestamp = Doc!.NextMarkerTimestamp();
        }

        // Walk right while possible.
        while (p.Right is not null && pindex < index)
        {
            if (!p.Deleted && p.Countable)
            {
                if (index < pindex + p.Length)
                {
                    break;
                }

                pindex += p.Length;
            }

            p = p.Right;
        }

        // Walk left if the marker was beyond the index.
        while (p.Left is not null && pindex > index)
        {
            p = p.Left;
            if (!p.Deleted && p.Countable)
            {
                pindex -= p.Length;
            }
        }

        // Never point at an item that could be merged into its left neighbour.
        while (p.Left is not null && p.Left.Client == p.Client && p.Left.Clock + p.Left.Length == p.Clock)
        {
            p = p.Left;
            if (!p.Deleted && p.Countable)
            {
                pindex -= p.Length;
            }
        }

        if (marker is not null && Math.Abs(marker.Index - pindex) < (double)LengthInternal / MaxSearchMarkers)
        {
            OverwriteMarker(marker, p, pindex);
            return marker;
        }

        return MarkPosition(markers, p, pindex);
    }

    private void OverwriteMarker(SearchMarker marker, Item p, long index)
    {
        marker.Item.Marker = false;
        marker.Item = p;
        p.Marker = true;
        marker.Index = index;
        marker.Timestamp = Doc!.NextMarkerTimestamp();
    }

    private SearchMarker MarkPosition(List<SearchMarker> markers, Item p, long index)
    {
        if (markers.Count >= MaxSearchMarkers)
        {
            var oldest = markers[0];
            for (var i = 1; i < markers.Count; i++)
            {
                if (!(oldest.Timestamp < markers[i].Timestamp))
                {
                    oldest = markers[i];
                }
            }

            OverwriteMarker(oldest, p, index);
            return oldest;
        }

        p.Marker = true;
        var marker = new SearchMarker(p, index, Doc!.NextMarkerTimestamp());
        markers.Add(marker);
        return marker;
    }

    /// <summary>Shifts markers after a local insert (len &gt; 0) or delete (len &lt; 0) at <paramref name="index"/> (yjs <c>updateMarkerChanges</c>).</summary>
    internal void UpdateMarkerChanges(long index, long len)
    {
        var markers = Markers;
        if (markers is null)
        {
            return;
        }

        for (var i = markers.Count - 1; i >= 0; i--)
        {
            var m = markers[i];
            if (len > 0)
            {
                Item? p = m.Item;
                p.Marker = false;
                // Move to the previous visible countable item so position comparisons are meaningful.
                while (p is not null && (p.Deleted || !p.Countable))
                {
                    p = p.Left;
                    if (p is not null && !p.Deleted && p.Countable)
                    {
                        m.Index -= p.Length;
                    }
                }

                if (p is null || p.Marker)
                {
                    markers.RemoveAt(i);
                    continue;
                }

                m.Item = p;
                p.Marker = true;
            }

            if (index < m.Index || (len > 0 && index == m.Index))
            {
                m.Index = Math.Max(index, m.Index + len);
            }
        }
    }
}
