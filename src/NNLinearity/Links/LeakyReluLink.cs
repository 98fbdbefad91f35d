using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>
/// The leaky rectified linear unit, mu = eta for eta &gt;= 0 and alpha eta below (0 &lt; alpha &lt; 1, 0.01 by
/// default). Invertible (g(mu) = mu / alpha below 0) and piecewise linear: a hidden-layer activation.
/// </summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct LeakyReluLink : ILinkFunction
{
    private const double DefaultAlpha = 0.01;
    private readonly double _alphaFromDefault; // 0 in default(LeakyReluLink), so the default value is the default slope

    /// <summary>Creates the leaky ReLU with the given negative-side slope.</summary>
    /// <param name="alpha">The slope below 0, in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">alpha is not in (0, 1).</exception>
    public LeakyReluLink(double alpha)
    {
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The leaky ReLU slope must be in (0, 1).");
        _alphaFromDefault = alpha - DefaultAlpha;
    }

    /// <summary>The slope below 0.</summary>
    public double Alpha => DefaultAlpha + _alphaFromDefault;

    /// <inheritdoc />
    public string Name => "leaky_relu(" + Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ")";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <summary>True: both slopes are positive.</summary>
    public bool IsInvertible => true;

    /// <summary>True: linear on each side of 0.</summary>
    public bool IsPiecewiseLinear => true;

    /// <inheritdoc />
    public double MeanLowerBound => double.NegativeInfinity;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <inheritdoc />
    public double Link(double mu) => mu >= 0 ? mu : mu / Alpha;

    /// <inheritdoc />
    public double Inverse(double eta) => eta >= 0 ? eta : Alpha * eta;

    /// <summary>1 for eta &gt; 0, alpha for eta &lt; 0 (alpha is taken at the kink).</summary>
    /// <param name="eta">The linear predictor.</param>
    /// <returns>The slope.</returns>
    public double InverseDerivative(double eta) => eta > 0 ? 1.0 : Alpha;

    /// <summary>0 everywhere except at the kink, where it does not exist (0 is returned).</summary>
    /// <param name="eta">The linear predictor.</param>
    /// <returns>0.</returns>
    public double InverseSecondDerivative(double eta) => 0.0;

    /// <inheritdoc />
    public double Inverse(double eta, out double dMuDEta)
    {
        dMuDEta = InverseDerivative(eta);
        return Inverse(eta);
    }

    /// <inheritdoc />
    public bool IsValidMean(double mu) => double.IsFinite(mu);

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => double.IsFinite(eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => LinkBatch.LeakyRelu(eta, mu, default, Alpha, wantMu: true, wantD: false);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => LinkBatch.LeakyRelu(eta, default, dMuDEta, Alpha, wantMu: false, wantD: true);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => LinkBatch.LeakyRelu(eta, mu, dMuDEta, Alpha, wantMu: true, wantD: true);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => LinkBatch.LeakyRelu(eta, mu, default, Alpha, wantMu: true, wantD: false);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => LinkBatch.LeakyRelu(eta, default, dMuDEta, Alpha, wantMu: false, wantD: true);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta) => LinkBatch.LeakyRelu(eta, mu, dMuDEta, Alpha, wantMu: true, wantD: true);

    /// <inheritdoc />
    public override string ToString() => Name;
}
