using System;
using System.Globalization;
using System.Threading;

namespace NNLinearity.Layers;

/// <summary>
/// Who is using a model: any number of readers (prediction, losses, analysis, conversion) or one writer (training,
/// setting parameters), never both. It does not wait: a conflicting call is refused with an
/// <see cref="InvalidOperationException"/>, so a model is never read half-written and never written while read.
/// </summary>
internal sealed class UsageGuard
{
    private int _state; // > 0: that many readers; -1: one writer; 0: idle

    /// <summary>Enters as a reader; dispose the scope to leave.</summary>
    public ReadScope Read()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if (s < 0)
            {
                throw new InvalidOperationException("The model is being trained or its parameters are being set on another thread; read it when that has finished, or read a Clone().");
            }

            if (Interlocked.CompareExchange(ref _state, s + 1, s) == s) return new ReadScope(this);
        }
    }

    /// <summary>Enters as the only writer; dispose the scope to leave.</summary>
    public WriteScope Write()
    {
        int s = Interlocked.CompareExchange(ref _state, -1, 0);
        if (s == 0) return new WriteScope(this);
        throw new InvalidOperationException(s < 0
            ? "The model is already being trained or its parameters set on another thread; train a Clone() instead."
            : string.Create(CultureInfo.InvariantCulture, $"The model is in use by {s} call(s) on other threads (prediction, loss or analysis); it cannot be changed until they return. Train a Clone() instead."));
    }

    /// <summary>A reader's stay.</summary>
    public readonly struct ReadScope(UsageGuard guard) : IDisposable
    {
        /// <summary>Leaves.</summary>
        public void Dispose() => Interlocked.Decrement(ref guard._state);
    }

    /// <summary>The writer's stay.</summary>
    public readonly struct WriteScope(UsageGuard guard) : IDisposable
    {
        /// <summary>Leaves.</summary>
        public void Dispose() => Volatile.Write(ref guard._state, 0);
    }
}
