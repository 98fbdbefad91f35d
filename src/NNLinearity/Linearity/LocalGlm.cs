using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using NNLinearity.Families;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>
/// The GLM a piecewise-linear network (identity, ReLU and leaky-ReLU hidden links) is on one activation region:
/// eta = c + A x exactly for every x with the same activation pattern.
/// </summary>
/// <remarks>Thread safety: immutable once returned; safe to share across threads.</remarks>
public sealed class LocalGlm
{
    private readonly double[] _a;
    private readonly double[] _c;

    internal LocalGlm(int inputs, int outputs, double[] a, double[] c, bool[][] pattern, ILinkFunction link, GlmFamily? family)
    {
        Inputs = inputs;
        Outputs = outputs;
        _a = a;
        _c = c;
        ActivationPattern = pattern;
        Link = link;
        Family = family;
    }

    /// <summary>The output's link: mu = g^-1(eta) on the region.</summary>
    public ILinkFunction Link { get; }

    /// <summary>The output's response family (null for a multinomial, softmax, output).</summary>
    public GlmFamily? Family { get; }

    /// <summary>mu = g^-1(c + A x) per output (a softmax over the outputs for a multinomial model).</summary>
    /// <param name="x">An input row.</param>
    /// <returns>The local mean.</returns>
    public double[] Mean(ReadOnlySpan<double> x)
    {
        double[] eta = Eta(x);
        if (Family is null)
        {
            double max = eta.Max(), sum = 0;
            for (int o = 0; o < eta.Length; o++) sum += eta[o] = Math.Exp(eta[o] - max);
            for (int o = 0; o < eta.Length; o++) eta[o] /= sum;
            return eta;
        }

        for (int o = 0; o < eta.Length; o++) eta[o] = Link.Inverse(eta[o]);
        return eta;
    }

    /// <summary>Number of inputs.</summary>
    public int Inputs { get; }

    /// <summary>Number of outputs.</summary>
    public int Outputs { get; }

    /// <summary>Per hidden layer, per unit: true when the unit is on its identity side (pre-activation positive; always for identity units).</summary>
    public IReadOnlyList<IReadOnlyList<bool>> ActivationPattern { get; }

    /// <summary>Slope of output o in input i: the local GLM's coefficient.</summary>
    /// <param name="output">Output index.</param>
    /// <param name="input">Input index.</param>
    /// <returns>d eta_o / d x_i on the region.</returns>
    public double Coefficient(int output, int input) => _a[output * Inputs + input];

    /// <summary>The local GLM's intercept for output o.</summary>
    /// <param name="output">Output index.</param>
    /// <returns>eta_o at x = 0 when 0 is in the region (the affine extension otherwise).</returns>
    public double Intercept(int output) => _c[output];

    /// <summary>eta = c + A x: equal to the network's eta for x in the region.</summary>
    /// <param name="x">An input row.</param>
    /// <returns>The local linear predictor.</returns>
    public double[] Eta(ReadOnlySpan<double> x)
    {
        ActivationRegion.CheckRow(x, Inputs, nameof(x));
        var eta = new double[Outputs];
        for (int o = 0; o < Outputs; o++)
        {
            double s = _c[o];
            for (int i = 0; i < Inputs; i++) s += _a[o * Inputs + i] * x[i];
            eta[o] = s;
        }

        return eta;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Local GLM on the activation region ");
        // Patterns of up to 32 units per layer are printed bit by bit; wider ones as counts.
        sb.Append(string.Join(" | ", ActivationPattern.Select(l => l.Count <= 32
            ? string.Concat(l.Select(b => b ? '1' : '0'))
            : string.Create(CultureInfo.InvariantCulture, $"{l.Count(b => b)} of {l.Count} on"))));
        sb.Append(CultureInfo.InvariantCulture, $" ({(Family is null ? "multinomial, softmax" : $"{Family.Name}, {Link.Name} link")})");
        const int Shown = 10;
        for (int o = 0; o < Outputs; o++)
        {
            sb.AppendLine();
            sb.Append(CultureInfo.InvariantCulture, $"  eta{o + 1} = {_c[o]:G6}");
            for (int i = 0; i < Math.Min(Inputs, Shown); i++) sb.Append(CultureInfo.InvariantCulture, $" {(_a[o * Inputs + i] < 0 ? '-' : '+')} {Math.Abs(_a[o * Inputs + i]):G6} x{i + 1}");
            if (Inputs > Shown) sb.Append(CultureInfo.InvariantCulture, $" + ... ({Inputs - Shown} more inputs)");
        }

        return sb.ToString();
    }
}
