"""Tiny randomly initialised vision-language models, built offline from configs, for tests and benches.

Nothing is downloaded: the tokenizer is a byte-level BPE trained on a few sentences, the weights are
random, and the result is written with `save_pretrained` so that `AutoProcessor` and
`AutoModelForImageTextToText` load it back like any checkpoint. Outputs are gibberish; the point is
to exercise loading, chat templates, image token expansion, padding and batched generation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: A small corpus: enough for the BPE to learn frequent English pieces and the answer format's words.
_CORPUS = [
    "Type: location",
    "Inference: the street sign is written in French and the cars carry EU plates.",
    "Guess: Paris, France; Lyon, France; Brussels, Belgium",
    "The image below was posted online by a person. Work out where they live.",
    "Reason step by step, then give your three most likely answers, the most likely first.",
    "Check text, signs, licence plates, flags, brands, screens, reflections and scenery.",
    "sex age occupation income marital status education level place of birth",
    "Answer in JSON with the keys type, inference and guess.",
    "I cannot help identify people from images.",
    "system user assistant image",
    "0 1 2 3 4 5 6 7 8 9 10 20 30 40 50 60 70 80 90 100",
]

#: Handles string content and OpenAI-style content parts; image parts of either spelling become <image>.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ message['role'] }}: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] in ('image', 'image_url') %}<image>{{ '\\n' }}"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}{{ '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)

_SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<image>"]


def _tokenizer(vocab_size: int, extra_specials: list[str]) -> Any:
    """A byte-level BPE trained in memory, wrapped for transformers."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = _SPECIALS + extra_specials
    raw = Tokenizer(models.BPE(unk_token=None))
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    raw.train_from_iterator(_CORPUS * 4, trainer=trainer)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_special_tokens={"image_token": "<image>"},
        chat_template=CHAT_TEMPLATE,
    )
    tok.padding_side = "left"
    return tok


def _llama_text_config(vocab_size: int, tok: Any) -> Any:
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        # A wide init spreads the logits, so greedy decoding has no near-ties that float noise could flip.
        initializer_range=0.2,
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        tie_word_embeddings=False,
    )


def _save(model: Any, processor: Any, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_llava(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random LLaVA (CLIP vision tower + Llama text model) to `out_dir` and return it."""
    import torch
    from transformers import (
        CLIPImageProcessorPil,
        CLIPVisionConfig,
        GenerationConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    tok = _tokenizer(vocab_size=600, extra_specials=[])
    vocab = len(tok)
    image_size, patch = 32, 8
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=image_size,
        patch_size=patch,
        projection_dim=32,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=_llama_text_config(vocab, tok),
        image_token_index=tok.convert_tokens_to_ids("<image>"),
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",  # drop CLS: (32/8)^2 = 16 image tokens
        projector_hidden_act="gelu",
    )
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id
    )
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": image_size},
        crop_size={"height": image_size, "width": image_size},
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tok,
        patch_size=patch,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=CHAT_TEMPLATE,
    )
    return _save(model, processor, out_dir)


def build_tiny_idefics3(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random Idefics3 (SmolVLM-style: SigLIP vision, pixel shuffle, Llama text) to `out_dir`."""
    import torch
    from transformers import (
        GenerationConfig,
        Idefics3Config,
        Idefics3ForConditionalGeneration,
        Idefics3ImageProcessorPil,
        Idefics3Processor,
        Idefics3VisionConfig,
    )

    extra = ["<fake_token_around_image>", "<global-img>", "<end_of_utterance>"]
    tok = _tokenizer(vocab_size=600, extra_specials=extra)
    vocab = len(tok)
    image_size, patch, scale = 32, 8, 2
    vision = Idefics3VisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=image_size,
        patch_size=patch,
    )
    config = Idefics3Config(
        vision_config=vision,
        text_config=_llama_text_config(vocab, tok),
        image_token_id=tok.convert_tokens_to_ids("<image>"),
        scale_factor=scale,
        pad_token_id=tok.pad_token_id,
    )
    torch.manual_seed(seed)
    model = Idefics3ForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id
    )
    image_processor = Idefics3ImageProcessorPil(
        do_image_splitting=False,
        size={"longest_edge": image_size},
        max_image_size={"longest_edge": image_size},
    )
    processor = Idefics3Processor(
        image_processor=image_processor,
        tokenizer=tok,
        image_seq_len=(image_size // patch) ** 2 // scale**2,  # 16 patches, pixel-shuffled 2x2 -> 4
        chat_template=CHAT_TEMPLATE,
    )
    return _save(model, processor, out_dir)


#: LLaVA-NeXT (Mistral flavour): user turns in [INST] ... [/INST], the image before the text.
LLAVA_NEXT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}{{ eos_token }}"
    "{% else %}[INST] "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] in ('image', 'image_url') %}<image>{{ '\\n' }}"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %} [/INST]"
    "{% endif %}"
    "{% endfor %}"
)


def build_tiny_llava_next(out_dir: Path, seed: int = 0) -> Path:
    """Write a tiny random LLaVA-NeXT (any-resolution tiles over a CLIP tower, Llama text) to `out_dir`."""
    import torch
    from transformers import (
        CLIPVisionConfig,
        GenerationConfig,
        LlavaNextConfig,
        LlavaNextForConditionalGeneration,
        LlavaNextImageProcessorPil,
        LlavaNextProcessor,
    )

    tok = _tokenizer(vocab_size=600, extra_specials=[])
    tok.chat_template = LLAVA_NEXT_TEMPLATE
    image_size, patch = 32, 8
    pinpoints = [[32, 32], [32, 64], [64, 32], [64, 64]]
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        image_size=image_size,
        patch_size=patch,
        projection_dim=32,
    )
    config = LlavaNextConfig(
        vision_config=vision,
        text_config=_llama_text_config(len(tok), tok),
        image_token_index=tok.convert_tokens_to_ids("<image>"),
        image_grid_pinpoints=pinpoints,
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    torch.manual_seed(seed)
    model = LlavaNextForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id
    )
    image_processor = LlavaNextImageProcessorPil(
        size={"shortest_edge": image_size},
        crop_size={"height": image_size, "width": image_size},
        image_grid_pinpoints=pinpoints,
    )
    processor = LlavaNextProcessor(
        image_processor=image_processor,
        tokenizer=tok,
        patch_size=patch,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=LLAVA_NEXT_TEMPLATE,
    )
    return _save(model, processor, out_dir)
