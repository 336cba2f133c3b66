namespace FrameLord.Sync.Server.Live.Sockets;

/// <summary>One socket's view of one note: frames document updates and awareness updates in its protocol and queues them.</summary>
internal interface INotePeer
{
    void SendUpdate(OutgoingUpdate update);

    void SendAwareness(byte[] awarenessUpdate);

    /// <summary>
    /// Closes the socket so that its client reconnects and syncs again (1011): used when updates already fanned
    /// out could not be stored, since the client's sync step on reconnecting sends the store what it lacks.
    /// </summary>
    void Resync();
}
