using System;
using System.Runtime.CompilerServices;
using NNLinearity.Numerics;

namespace NNLinearity.Links;

/// <summary>
/// The rectified linear unit, mu = max(eta, 0). It is <b>not an invertible link</b>: every eta &lt;= 0 gives mu = 0,
/// so no GLM has it as a link, and <see cref="Link(double)"/> returns only one preimage. It is a hidden-layer
/// activation: piecewise linear, so a ReLU network is exactly a linear predictor on each activation region.
/// </summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly struct ReluLink : ILinkFunction
{
    /// <inheritdoc />
    public string Name => "relu";

    /// <inheritdoc />
    public bool IsAffine => false;

    /// <summary>False: ReLU maps every non-positive eta to 0.</summary>
    public bool IsInvertible => false;

    /// <summary>True: ReLU is linear on each side of 0.</summary>
    public bool IsPiecewiseLinear => true;

    /// <inheritdoc />
    public double MeanLowerBound => 0.0;

    /// <inheritdoc />
    public double MeanUpperBound => double.PositiveInfinity;

    /// <summary>A right inverse: mu itself for mu &gt;= 0 (for mu = 0 that is one preimage of many: every eta &lt;= 0).</summary>
    /// <param name="mu">A non-negative mean.</param>
    /// <returns>eta = mu.</returns>
    public double Link(double mu) => mu;

    /// <inheritdoc />
    public double Inverse(double eta) => eta > 0 ? eta : 0.0;

    /// <summary>1 for eta &gt; 0, else 0 (the subgradient 0 is taken at the kink).</summary>
    /// <param name="eta">The linear predictor.</param>
    /// <returns>The slope.</returns>
    public double InverseDerivative(double eta) => eta > 0 ? 1.0 : 0.0;

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
    public bool IsValidMean(double mu) => mu >= 0 && mu < double.PositiveInfinity;

    /// <inheritdoc />
    public bool IsValidLinearPredictor(double eta) => double.IsFinite(eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => LinkBatch.ReluInverse<double>(eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => LinkBatch.ReluDerivative<double>(eta, dMuDEta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => LinkBatch.ReluBoth<double>(eta, mu, dMuDEta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => LinkBatch.Link(this, mu, eta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => LinkBatch.ReluInverse<float>(eta, mu);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => LinkBatch.ReluDerivative<float>(eta, dMuDEta);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu, Span<float> dMuDEta) => LinkBatch.ReluBoth<float>(eta, mu, dMuDEta);

    /// <inheritdoc />
    public override string ToString() => Name;
}
