using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using NNLinearity.Kernels;
using NNLinearity.Links;

namespace NNLinearity.Layers;

/// <summary>
/// A bank of k GLM linear predictors sharing one input: eta = X W^T + b and mu = g^-1(eta), with weights W stored
/// [outputs, inputs] row-major. Add a response family on its output and one layer is exactly a GLM.
/// </summary>
/// <remarks>
/// This non-generic base gives run-time choice of element type and link; <see cref="GlmLayer{T}"/> holds the
/// parameters and runs the kernels, with one implementation compiled per link struct.
/// <para>Thread safety: see GlmLayer{T}: any number of concurrent readers, one writer at a time, never both.</para>
/// </remarks>
public abstract class GlmLayer
{
    private protected GlmLayer(int inputs, int outputs)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "A layer needs at least one input.");
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "A layer needs at least one output.");
        long parameters = (long)outputs * ((long)inputs + 1);
        long packed = ((long)outputs + 63) / 64 * 64 * inputs; // the GEMM's copy of W^T, in panels of at most 64 columns
        if (Math.Max(parameters, packed) > Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A layer of {outputs} outputs x {inputs} inputs has {parameters} parameters (outputs x (inputs + 1)); one array holds at most {Array.MaxLength}."), nameof(inputs));
        }

        InputCount = inputs;
        OutputCount = outputs;
    }

    /// <summary>Creates a layer with zero parameters, compiled for the given link.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="inputs">Number of inputs.</param>
    /// <param name="outputs">Number of outputs.</param>
    /// <param name="link">The link (any <see cref="ILinkFunction"/>; the library's structs get a loop of their own).</param>
    /// <returns>The layer.</returns>
    public static GlmLayer<T> Create<T>(int inputs, int outputs, ILinkFunction link) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(link);
        return link switch
        {
            IdentityLink l => new GlmLayer<T, IdentityLink>(inputs, outputs, l),
            LogitLink l => new GlmLayer<T, LogitLink>(inputs, outputs, l),
            LogLink l => new GlmLayer<T, LogLink>(inputs, outputs, l),
            ProbitLink l => new GlmLayer<T, ProbitLink>(inputs, outputs, l),
            CloglogLink l => new GlmLayer<T, CloglogLink>(inputs, outputs, l),
            LogLogLink l => new GlmLayer<T, LogLogLink>(inputs, outputs, l),
            CauchitLink l => new GlmLayer<T, CauchitLink>(inputs, outputs, l),
            InverseLink l => new GlmLayer<T, InverseLink>(inputs, outputs, l),
            InverseSquaredLink l => new GlmLayer<T, InverseSquaredLink>(inputs, outputs, l),
            SqrtLink l => new GlmLayer<T, SqrtLink>(inputs, outputs, l),
            PowerLink l => new GlmLayer<T, PowerLink>(inputs, outputs, l),
            TanhLink l => new GlmLayer<T, TanhLink>(inputs, outputs, l),
            SoftplusLink l => new GlmLayer<T, SoftplusLink>(inputs, outputs, l),
            ReluLink l => new GlmLayer<T, ReluLink>(inputs, outputs, l),
            LeakyReluLink l => new GlmLayer<T, LeakyReluLink>(inputs, outputs, l),
            _ => new GlmLayer<T, DynamicLink>(inputs, outputs, new DynamicLink(link)),
        };
    }

    /// <summary>Number of inputs (columns of X).</summary>
    public int InputCount { get; }

    /// <summary>Number of outputs k (rows of W, linear predictors).</summary>
    public int OutputCount { get; }

    /// <summary>Number of parameters: k (inputs + 1), weights first (row-major) and then the bias.</summary>
    public int ParameterCount => OutputCount * (InputCount + 1);

    /// <summary>The link g: the layer's mean is g^-1(eta).</summary>
    public abstract ILinkFunction Link { get; }

    /// <summary>Weight W[output, input] as a double.</summary>
    /// <param name="output">Output index.</param>
    /// <param name="input">Input index.</param>
    /// <returns>The weight.</returns>
    public abstract double GetWeight(int output, int input);

    /// <summary>Bias b[output] as a double.</summary>
    /// <param name="output">Output index.</param>
    /// <returns>The bias.</returns>
    public abstract double GetBias(int output);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"GlmLayer({InputCount} -> {OutputCount}, {Link.Name})");
}

/// <summary>A <see cref="GlmLayer"/> with parameters of type <typeparamref name="T"/> (float or double).</summary>
/// <remarks>
/// Thread safety: any number of threads may call <see cref="Forward"/> at once (each call works in the caller's
/// buffers; the packed copy of the weights is built once per parameter version, under a lock). The setters change
/// the layer and, for a layer of a <see cref="StackedGlm{T}"/>, its model: they are refused with an
/// <see cref="InvalidOperationException"/> while another thread reads or trains it. The span properties are views of
/// the live parameters: do not hold them across a change.
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public abstract class GlmLayer<T> : GlmLayer where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Lock _packLock = new();
    private T[] _store;
    private int _offset;
    private ArraySegment<T> _packed = ArraySegment<T>.Empty; // on a cache line: the products load it a line at a time
    private long _version;
    private long _packedVersion = -1;

    private protected GlmLayer(int inputs, int outputs) : base(inputs, outputs)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float)) throw new NotSupportedException($"GlmLayer supports float and double, not {typeof(T).Name}.");
        _store = new T[ParameterCount];
    }

    /// <summary>The weights W [outputs, inputs], row-major.</summary>
    public ReadOnlySpan<T> Weights => _store.AsSpan(_offset, OutputCount * InputCount);

    /// <summary>The bias b [outputs].</summary>
    public ReadOnlySpan<T> Bias => _store.AsSpan(_offset + OutputCount * InputCount, OutputCount);

    /// <summary>All parameters: the weights row-major, then the bias.</summary>
    public ReadOnlySpan<T> Parameters => _store.AsSpan(_offset, ParameterCount);

    /// <inheritdoc />
    public override double GetWeight(int output, int input)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(output);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(output, OutputCount);
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, InputCount);
        return double.CreateChecked(Weights[output * InputCount + input]);
    }

    /// <inheritdoc />
    public override double GetBias(int output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(output);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(output, OutputCount);
        return double.CreateChecked(Bias[output]);
    }

    /// <summary>Sets the weights.</summary>
    /// <param name="weights">W [outputs, inputs], row-major; finite.</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite value.</exception>
    /// <exception cref="InvalidOperationException">Another thread is reading or training the layer's model.</exception>
    public void SetWeights(ReadOnlySpan<T> weights)
    {
        CheckParameters(weights, OutputCount * InputCount, nameof(weights));
        using UsageGuard.WriteScope writing = Guard.Write();
        weights.CopyTo(_store.AsSpan(_offset, OutputCount * InputCount));
        _version++;
    }

    /// <summary>Sets the bias.</summary>
    /// <param name="bias">b [outputs]; finite.</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite value.</exception>
    /// <exception cref="InvalidOperationException">Another thread is reading or training the layer's model.</exception>
    public void SetBias(ReadOnlySpan<T> bias)
    {
        CheckParameters(bias, OutputCount, nameof(bias));
        using UsageGuard.WriteScope writing = Guard.Write();
        bias.CopyTo(_store.AsSpan(_offset + OutputCount * InputCount, OutputCount));
        _version++;
    }

    /// <summary>Sets every parameter: the weights row-major, then the bias.</summary>
    /// <param name="parameters">The <see cref="GlmLayer.ParameterCount"/> values; finite.</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite value.</exception>
    /// <exception cref="InvalidOperationException">Another thread is reading or training the layer's model.</exception>
    public void SetParameters(ReadOnlySpan<T> parameters)
    {
        CheckParameters(parameters, ParameterCount, nameof(parameters));
        using UsageGuard.WriteScope writing = Guard.Write();
        parameters.CopyTo(_store.AsSpan(_offset, ParameterCount));
        _version++;
    }

    /// <summary>Computes eta = X W^T + b and mu = g^-1(eta).</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="eta">Receives eta [rows, outputs].</param>
    /// <param name="mu">Receives mu [rows, outputs].</param>
    /// <exception cref="ArgumentException">A shape mismatch or a non-finite input.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training the layer's model or setting its parameters.</exception>
    public void Forward(ReadOnlySpan<T> x, int rows, Span<T> eta, Span<T> mu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (x.Length != (long)rows * InputCount) throw new ArgumentException($"x has {x.Length} values; {rows} rows of {InputCount} inputs need {(long)rows * InputCount}.", nameof(x));
        long n = (long)rows * OutputCount;
        if (n > Array.MaxLength) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{rows} rows of {OutputCount} outputs need {n} values; one array holds at most {Array.MaxLength}."), nameof(rows));
        if (eta.Length < n) throw new ArgumentException($"eta has room for {eta.Length} values; {n} are needed.", nameof(eta));
        if (mu.Length < n) throw new ArgumentException($"mu has room for {mu.Length} values; {n} are needed.", nameof(mu));
        Matrices.ThrowIfNotFinite(x, InputCount, nameof(x));
        T[] d = new T[n];
        using UsageGuard.ReadScope reading = Guard.Read();
        ForwardCore(x, rows, eta, mu, d, 0);
    }

    /// <summary>Who uses the parameters: the layer's own guard, or its model's once bound to one.</summary>
    internal UsageGuard Guard { get; private set; } = new();

    /// <summary>
    /// W^T in the GEMM's packed panel layout, built once per parameter version. Readers that find it stale repack under
    /// a lock; no reader can hold the old panels then, since parameters change only while no one reads.
    /// </summary>
    internal ReadOnlySpan<T> PackedWeightsTransposed()
    {
        if (Volatile.Read(ref _packedVersion) != Volatile.Read(ref _version)) Repack();
        return _packed;
    }

    /// <summary>
    /// The product with stale panels: packs them inside it (each thread its own, as it first uses them) and marks them
    /// fresh. False when another reader repacked first (the caller then multiplies with the fresh panels).
    /// </summary>
    private bool ForwardRepacking(ReadOnlySpan<T> x, int rows, Span<T> eta, int threads)
    {
        lock (_packLock)
        {
            long version = Volatile.Read(ref _version);
            if (_packedVersion == version) return false;
            int len = Gemm.PackedLength<T>(OutputCount, InputCount);
            if (_packed.Count != len) _packed = AlignedArray.Allocate<T>(len);
            if (rows == 0 || InputCount == 0)
            {
                Gemm.PackTransposed<T>(Weights, OutputCount, InputCount, _packed);
                Gemm.Forward(x, rows, InputCount, _packed, Bias, OutputCount, eta, threads);
            }
            else
            {
                Gemm.ForwardPacking(x, rows, InputCount, Weights, Bias, OutputCount, eta, _packed, threads);
            }

            Volatile.Write(ref _packedVersion, version);
            return true;
        }
    }

    private void Repack()
    {
        lock (_packLock)
        {
            long version = Volatile.Read(ref _version);
            if (_packedVersion == version) return;
            int len = Gemm.PackedLength<T>(OutputCount, InputCount);
            if (_packed.Count != len) _packed = AlignedArray.Allocate<T>(len);
            Gemm.PackTransposed<T>(Weights, OutputCount, InputCount, _packed);
            Volatile.Write(ref _packedVersion, version);
        }
    }

    /// <summary>Rebinds the parameters to a slice of a shared vector (the stack's flat parameter vector) and joins its guard.</summary>
    internal void Bind(T[] store, int offset, UsageGuard guard)
    {
        Parameters.CopyTo(store.AsSpan(offset, ParameterCount));
        _store = store;
        _offset = offset;
        Guard = guard;
        _version++;
    }

    /// <summary>Marks the parameters changed (after an optimiser wrote the shared vector).</summary>
    internal void Invalidate() => Volatile.Write(ref _version, _version + 1);

    /// <summary>eta, mu and dmu/deta for a batch (no validation).</summary>
    internal void ForwardCore(ReadOnlySpan<T> x, int rows, Span<T> eta, Span<T> mu, Span<T> dMuDEta, int threads, ReadOnlySpan<T> offset = default)
    {
        int n = rows * OutputCount;
        if (Volatile.Read(ref _packedVersion) == Volatile.Read(ref _version) || !ForwardRepacking(x, rows, eta, threads))
        {
            Gemm.Forward(x, rows, InputCount, PackedWeightsTransposed(), Bias, OutputCount, eta, threads);
        }

        if (!offset.IsEmpty)
        {
            Span<T> e = eta[..n];
            for (int i = 0; i < n; i++) e[i] += offset[i];
        }

        // The link's span kernel streams spans of StreamingDriver.ThresholdBytes or more past the caches (right for
        // one pass over data larger than them); a layer's outputs are read again at once, by the next layer and by the
        // backward pass, so they are handed over in pieces below that size: whole numbers of vectors, the last taking
        // the remainder (so that no piece is shorter than a vector unless the span is, and every value is the one the
        // kernel computes over the whole span, lane by lane).
        int piece = (int)(StreamingDriver.ThresholdBytes / 2 / Unsafe.SizeOf<T>());
        for (int start = 0; start < n;)
        {
            int len = n - start <= piece + piece / 2 ? n - start : piece;
            ApplyInverseLink(eta.Slice(start, len), mu.Slice(start, len), dMuDEta.IsEmpty ? default : dMuDEta.Slice(start, len));
            start += len;
        }
    }

    /// <summary>
    /// Given dL/deta [rows, outputs]: writes dL/dW and dL/db into the gradient (adds them to it when
    /// <paramref name="accumulate"/>; writing gives the bits of adding to a cleared gradient) and, when wanted, writes
    /// dL/dX, times <paramref name="scaleX"/> elementwise when given (the previous layer's dmu/deta: then gradX is
    /// that layer's dL/deta).
    /// </summary>
    internal void BackwardCore(ReadOnlySpan<T> x, int rows, ReadOnlySpan<T> gradEta, Span<T> gradient, Span<T> gradX, int threads, ReadOnlySpan<T> scaleX = default, bool accumulate = true)
    {
        int wlen = OutputCount * InputCount;
        Gemm.WeightGradient(gradEta, rows, OutputCount, x, InputCount, gradient[..wlen], threads, accumulate, gradient.Slice(wlen, OutputCount));
        if (!gradX.IsEmpty) Gemm.BackwardInput(gradEta, rows, OutputCount, Weights, InputCount, gradX, threads, scaleX);
    }

    private protected abstract void ApplyInverseLink(Span<T> eta, Span<T> mu, Span<T> dMuDEta);

    private static void CheckParameters(ReadOnlySpan<T> values, int expected, string name)
    {
        if (values.Length != expected) throw new ArgumentException($"{name} has {values.Length} values; the layer needs {expected}.", name);
        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i])) throw new ArgumentException($"{name}[{i}] is {values[i]}: parameters must be finite.", name);
        }
    }
}

/// <summary>The layer compiled for one link struct: the inverse-link pass is a loop specialised for <typeparamref name="TLink"/>.</summary>
internal sealed class GlmLayer<T, TLink> : GlmLayer<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TLink : struct, ILinkFunction
{
    private readonly TLink _link;

    public GlmLayer(int inputs, int outputs, TLink link) : base(inputs, outputs) => _link = link;

    public override ILinkFunction Link => _link is DynamicLink d ? d.Inner : _link;

    private protected override void ApplyInverseLink(Span<T> eta, Span<T> mu, Span<T> dMuDEta)
    {
        if (typeof(T) == typeof(double))
        {
            _link.Inverse(MemoryMarshal.Cast<T, double>(eta), MemoryMarshal.Cast<T, double>(mu), MemoryMarshal.Cast<T, double>(dMuDEta));
        }
        else
        {
            _link.Inverse(MemoryMarshal.Cast<T, float>(eta), MemoryMarshal.Cast<T, float>(mu), MemoryMarshal.Cast<T, float>(dMuDEta));
        }
    }
}

/// <summary>A link chosen at run time (a user's own <see cref="ILinkFunction"/>), called through the interface.</summary>
internal readonly struct DynamicLink(ILinkFunction inner) : ILinkFunction
{
    public ILinkFunction Inner { get; } = inner;
    public string Name => Inner.Name;
    public bool IsAffine => Inner.IsAffine;
    public bool IsInvertible => Inner.IsInvertible;
    public bool IsPiecewiseLinear => Inner.IsPiecewiseLinear;
    public double MeanLowerBound => Inner.MeanLowerBound;
    public double MeanUpperBound => Inner.MeanUpperBound;
    public double Link(double mu) => Inner.Link(mu);
    public double Inverse(double eta) => Inner.Inverse(eta);
    public double InverseDerivative(double eta) => Inner.InverseDerivative(eta);
    public double Inverse(double eta, out double dMuDEta) => Inner.Inverse(eta, out dMuDEta);
    public double InverseSecondDerivative(double eta) => Inner.InverseSecondDerivative(eta);
    public bool IsValidMean(double mu) => Inner.IsValidMean(mu);
    public bool IsValidLinearPredictor(double eta) => Inner.IsValidLinearPredictor(eta);
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => Inner.Link(mu, eta);
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => Inner.Inverse(eta, mu);
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => Inner.InverseDerivative(eta, dMuDEta);
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => Inner.Inverse(eta, mu, dMuDEta);
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => Inner.Link(mu, eta);
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => Inner.Inverse(eta, mu);
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => Inner.InverseDerivative(eta, dMuDEta);
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta) => Inner.Inverse(eta, mu, dMuDEta);
}

/// <summary>Shape and finiteness checks for row-major matrices.</summary>
internal static class Matrices
{
    public static void ThrowIfNotFinite<T>(ReadOnlySpan<T> values, int columns, string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i / columns}, {i % columns}] is {values[i]}: values must be finite."), name);
            }
        }
    }

    public static ReadOnlySpan<T> AsSpan<T>(T[,] matrix) where T : unmanaged =>
        matrix.Length == 0 ? ReadOnlySpan<T>.Empty : MemoryMarshal.CreateReadOnlySpan(ref matrix[0, 0], matrix.Length);
}
