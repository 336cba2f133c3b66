using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;

namespace FrameLord.Sync.Crdt.Updates;

/// <summary>
/// Integrates a decoded update into a document (yjs <c>readUpdateV2</c>): a causal scheduler over the client
/// sections, pending structs and pending deletions, and the retry when missing structs arrive.
/// </summary>
internal static class UpdateIntegrator
{
    public static void Apply(Transaction transaction, DecodedUpdate update)
    {
        var store = transaction.Doc.Store;
        var rest = IntegrateStructs(transaction, store, update.Sections);
        var retry = false;
        var pending = store.Pending;
        if (pending is not null)
        {
            foreach (var (client, clock) in pending.Missing)
            {
                if (clock < store.GetState(client))
                {
                    retry = true;
                    break;
                }
            }

            if (rest is not null)
            {
                foreach (var (client, clock) in rest.Missing)
                {
                    if (!pending.Missing.TryGetValue(client, out var m) || m > clock)
                    {
                        pending.Missing[client] = clock;
                    }
                }

                pending.Update = YUpdate.Merge([UpdateDecoder.Decode(pending.Update), UpdateDecoder.Decode(rest.Update)]);
            }
        }
        else
        {
            store.Pending = rest;
        }

        var dsRest = ApplyDeleteSet(transaction, store, update.DeleteSet);
        if (store.PendingDeleteSet is { } pendingDsBytes)
        {
            var dsRest2 = ApplyDeleteSet(transaction, store, UpdateDecoder.Decode(pendingDsBytes).DeleteSet);
            store.PendingDeleteSet = dsRest is not null && dsRest2 is not null
                ? YUpdate.Merge([UpdateDecoder.Decode(dsRest), UpdateDecoder.Decode(dsRest2)])
                : dsRest ?? dsRest2;
        }
        else
        {
            store.PendingDeleteSet = dsRest;
        }

        if (retry)
        {
            var again = store.Pending!.Update;
            store.Pending = null;
            Apply(transaction, UpdateDecoder.Decode(again));
        }
    }

    private static PendingStructs? IntegrateStructs(Transaction transaction, StructStore store, List<ClientStructs> sections)
    {
        if (sections.Count == 0)
        {
            return null;
        }

        var byClient = new Dictionary<ulong, ClientStructs>(sections.Count);
        foreach (var section in sections)
        {
            byClient[section.Client] = section;
        }

        // Highest client first: in a conflict the lower id will probably not conflict with the higher one.
        var clientIds = new List<ulong>(byClient.Keys);
        clientIds.Sort();
        var current = NextTarget(byClient, clientIds);
        if (current is null)
        {
            return null;
        }

        var stack = new List<AbstractStruct>();
        var rest = new Dictionary<ulong, List<AbstractStruct>>();
        var missingSv = new Dictionary<ulong, long>();
        var state = new Dictionary<ulong, long>();
        var head = current.Refs[current.Next++];

        void UpdateMissing(ulong client, long clock)
        {
            if (!missingSv.TryGetValue(client, out var m) || m > clock)
            {
                missingSv[client] = clock;
            }
        }

        void AddStackToRest()
        {
            // Keep, per client, everything from the earliest struct on the stack (nothing is dropped).
            foreach (var s in stack)
            {
                var client = s.Client;
                if (byClient.TryGetValue(client, out var refs))
                {
                    var from = refs.Refs.IndexOf(s);
                    if (from < 0)
                    {
                        from = refs.Next - 1;
                    }

                    rest[client] = refs.Refs.GetRange(from, refs.Refs.Count - from);
                    // Nothing more may be taken from this client, not even by the current cursor.
                    // Its id stays in clientIds (removing it there would scan the list); NextTarget skips it.
                    refs.Next = refs.Refs.Count;
                    byClient.Remove(client);
                }
                else if (rest.TryGetValue(client, out var existing))
                {
                    if (s.Clock < existing[0].Clock)
                    {
                        existing.Insert(0, s);
                    }
                }
                else
                {
                    rest[client] = [s];
                }
            }

            stack.Clear();
        }

        while (true)
        {
            if (head is not SkipStruct)
            {
                var client = head.Client;
                if (!state.TryGetValue(client, out var localClock))
                {
                    localClock = store.GetState(client);
                    state[client] = localClock;
                }

                var offset = localClock - head.Clock;
                if (offset < 0)
                {
                    stack.Add(head);
                    UpdateMissing(client, head.Clock - 1);
                    AddStackToRest();
                }
                else
                {
                    var missing = head is Item item ? item.GetMissing(transaction, store) : null;
                    if (missing is { } missingClient)
                    {
                        stack.Add(head);
                        if (!byClient.TryGetValue(missingClient, out var refs) || refs.Next == refs.Refs.Count)
                        {
                            // Depends on an update we have not received.
                            UpdateMissing(missingClient, store.GetState(missingClient));
                            AddStackToRest();
                        }
                        else
                        {
                            head = refs.Refs[refs.Next++];
                            continue;
                        }
                    }
                    else if (offset == 0 || offset < head.Length)
                    {
                        if (head is Item i)
                        {
                            i.Integrate(transaction, offset);
                        }
                        else
                        {
                            IntegrateGc(transaction, store, head, offset);
                        }

                        state[client] = head.Clock + head.Length;
                    }
                }
            }

            if (stack.Count > 0)
            {
                head = stack[^1];
                stack.RemoveAt(stack.Count - 1);
            }
            else if (current is not null && current.Next < current.Refs.Count)
            {
                head = current.Refs[current.Next++];
            }
            else
            {
                current = NextTarget(byClient, clientIds);
                if (current is null)
                {
                    break;
                }

                head = current.Refs[current.Next++];
            }
        }

        if (rest.Count == 0)
        {
            return null;
        }

        using var writer = new ByteWriter();
        var clients = new List<ulong>(rest.Keys);
        clients.Sort();
        writer.WriteVarUint((ulong)clients.Count);
        for (var c = clients.Count - 1; c >= 0; c--)
        {
            var structs = rest[clients[c]];
            writer.WriteVarUint((ulong)structs.Count);
            writer.WriteVarUint(clients[c]);
            writer.WriteVarUint(structs[0].Clock);
            foreach (var s in structs)
            {
                UpdateEncoder.WriteStruct(writer, s, 0);
            }
        }

        writer.WriteVarUint(0UL);
        return new PendingStructs(missingSv, writer.ToArray());
    }

    private static ClientStructs? NextTarget(Dictionary<ulong, ClientStructs> byClient, List<ulong> clientIds)
    {
        while (clientIds.Count > 0)
        {
            if (byClient.TryGetValue(clientIds[^1], out var target) && target.Next < target.Refs.Count)
            {
                return target;
            }

            clientIds.RemoveAt(clientIds.Count - 1);
        }

        return null;
    }

    private static void IntegrateGc(Transaction transaction, StructStore store, AbstractStruct gc, long offset)
    {
        if (offset > 0)
        {
            gc.Clock += offset;
            gc.Length -= offset;
        }

        store.AddStruct(transaction, gc);
    }

    /// <summary>Applies delete ranges; returns the ranges beyond the local state as a V1 update (0 structs), or null.</summary>
    private static byte[]? ApplyDeleteSet(Transaction transaction, StructStore store, DeleteSet ds)
    {
        DeleteSet? unapplied = null;
        foreach (var (client, ranges) in ds.Clients)
        {
            var state = store.GetState(client);
            store.Clients.TryGetValue(client, out var structs);
            foreach (var range in ranges)
            {
                var clock = range.Clock;
                var end = range.End;
                if (clock < state)
                {
                    if (state < end)
                    {
                        (unapplied ??= new DeleteSet()).Add(client, state, end - state);
                    }

                    var index = structs!.FindIndex(clock);
                    var s = structs[index];
                    if (!s.IsDeleted && s.Clock < clock)
                    {
                        structs.Insert(index + 1, StructStore.SplitItem(transaction, (Item)s, clock - s.Clock));
                        index++;
                    }

                    while (index < structs.Count)
                    {
                        s = structs[index++];
                        if (s.Clock >= end)
                        {
                            break;
                        }

                        if (!s.IsDeleted)
                        {
                            if (end < s.Clock + s.Length)
                            {
                                structs.Insert(index, StructStore.SplitItem(transaction, (Item)s, end - s.Clock));
                            }

                            ((Item)s).Delete(transaction);
                        }
                    }
                }
                else
                {
                    (unapplied ??= new DeleteSet()).Add(client, clock, end - clock);
                }
            }
        }

        if (unapplied is null)
        {
            return null;
        }

        using var writer = new ByteWriter();
        writer.WriteVarUint(0UL);
        unapplied.Write(writer);
        return writer.ToArray();
    }
}
